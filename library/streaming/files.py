"""Opening an asset's file so that what is read is what was checked: inside an enabled root.

The scan recorded a path; by the time a client asks for it, the file may have been replaced by a
symlink to ``/etc/shadow``, its folder may have been disabled or removed, or it may be gone.
So every request resolves the location's real path, checks it against the *enabled* roots, and
then opens exactly that real path one component at a time from ``/`` with ``O_NOFOLLOW``: a
symlink swapped into any component after the check makes the open fail instead of being
followed. There is no window between the check and the open.

Once open, the file must still be the one the scan took in (``AssetLocation.is_file``: device,
inode, size, modification time): a hard link to a file outside the library, or another file
moved into its place, passes every path check but not the scan's (that it is media, its hash,
its tags). Such a location is left out and its folder rescanned; another location of the same
content may serve instead.

Nothing here puts a server path into an exception message: callers turn failures into 404s
(and :class:`AssetChanged` into a 409).
"""

import errno
import os
import stat
from dataclasses import dataclass

from django.utils import timezone

from library.ingestion.services import rescan_changed
from library.models import AssetLocation, LibraryRoot
from security import paths

_DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# O_NONBLOCK: opening a FIFO planted in the library must not hang the worker thread.
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
_VANISHED = frozenset({errno.ENOENT, errno.ENOTDIR})


class FileUnavailable(Exception):
    """The asset has no file that may be served now (a 404 for the client)."""


class AssetChanged(FileUnavailable):
    """The asset's files are there but none is any longer the one its scan took in (a 409)."""


@dataclass
class OpenedFile:
    """An open, regular, contained file: its descriptor, ``fstat`` and where it lives.

    ``real_path`` is for the nginx offload only and never reaches a client.
    """

    fd: int
    stat: os.stat_result
    location: AssetLocation
    real_path: bytes

    @property
    def size(self):
        return self.stat.st_size

    @property
    def matches_scan(self):
        """Whether the file is still the one the scan hashed, so the content hash names it."""
        return self.location.is_file(self.stat)

    def close(self):
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


def open_without_symlinks(real_path):
    """Open an absolute, symlink-free path component by component, following no link."""
    parts = [part for part in real_path.split(b"/") if part]
    if not parts:
        raise IsADirectoryError(errno.EISDIR, "not a file")
    directory = os.open(b"/", _DIRECTORY_FLAGS)
    try:
        for part in parts[:-1]:
            if part in (b".", b".."):
                raise PermissionError(errno.EACCES, "not a canonical path")
            child = os.open(part, _DIRECTORY_FLAGS, dir_fd=directory)
            os.close(directory)
            directory = child
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=directory)
    finally:
        os.close(directory)


def _mark_missing(location):
    if location.missing_since is None:
        now = timezone.now()
        AssetLocation.objects.filter(pk=location.pk, missing_since__isnull=True).update(missing_since=now)
        location.missing_since = now


def _root_mounted(root_path):
    """A root that is gone, unreadable or empty is taken to be unmounted (an unmounted drive
    leaves its empty mount point behind): its files are then not marked missing."""
    try:
        with os.scandir(root_path) as listing:
            return next(listing, None) is not None
    except OSError:
        return False


def open_location(location, enabled_roots):
    """The :class:`OpenedFile` for one location, or :class:`FileUnavailable`.

    ``enabled_roots`` are the real paths (bytes) of the enabled library roots. A file that is
    gone from a root that is itself still there is marked missing.
    """
    root = location.root
    if not root.enabled:
        raise FileUnavailable()
    raw = bytes(location.raw_path)
    if not raw or raw.startswith(b"/") or b"\x00" in raw:
        raise FileUnavailable()
    root_path = os.fsencode(root.path)
    try:
        real_path = os.path.realpath(os.path.join(root_path, raw))
    except (OSError, ValueError):
        raise FileUnavailable() from None
    if not any(paths.is_within(real_path, enabled) for enabled in enabled_roots):
        raise FileUnavailable()
    try:
        fd = open_without_symlinks(real_path)
    except OSError as exc:
        if exc.errno in _VANISHED and _root_mounted(root_path) and not os.path.lexists(os.path.join(root_path, raw)):
            _mark_missing(location)
        raise FileUnavailable() from None
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise FileUnavailable()
        os.set_blocking(fd, True)
    except (OSError, FileUnavailable):
        os.close(fd)
        raise FileUnavailable() from None
    return OpenedFile(fd=fd, stat=status, location=location, real_path=real_path)


def open_asset(asset):
    """The first usable location of an asset (the primary one first), opened; :class:`FileUnavailable`
    when none is, and :class:`AssetChanged` when files were there but changed since their scan. The
    folder of a changed file is rescanned either way."""
    enabled_roots = [os.fsencode(path) for path in LibraryRoot.objects.filter(enabled=True).values_list("path", flat=True)]
    if not enabled_roots:
        raise FileUnavailable()
    locations = asset.locations.filter(missing_since__isnull=True, root__enabled=True).select_related("root").primary_first()
    changed = []
    try:
        for location in locations:
            try:
                opened = open_location(location, enabled_roots)
            except FileUnavailable:
                continue
            if opened.matches_scan:
                return opened
            opened.close()
            changed.append(location)
    finally:
        for root in {location.root_id: location.root for location in changed}.values():
            rescan_changed(root)
    raise AssetChanged() if changed else FileUnavailable()
