"""The walk of a library root: every file a scan must consider, found without leaving the root.

Directories are opened one component at a time from the root's own descriptor with
``O_NOFOLLOW | O_DIRECTORY`` and listed through that descriptor, and files are opened relative to
their directory's descriptor with ``O_NOFOLLOW``: a directory swapped for a symbolic link after
it was listed cannot lead the scan out of the root. Symbolic links to *files* are followed only
when their real path stays inside the root, and are then opened by that real path, component by
component, without following any link; links to directories are never followed (their target,
being inside the root, is walked anyway, and a loop cannot form).

Names are bytes from start to end, so files whose names are not valid UTF-8 are found exactly.
A walk may cover the whole root or only some paths under it (an incremental scan after a change
was seen); directories are walked depth first in name order. Nothing here touches the database:
the scan's dispatcher thread runs the walk.
"""

import errno
import os
import stat
from dataclasses import dataclass

from library.artwork.extract import sidecar_name
from library.ingestion import detect
from library.ingestion.inspection import reason_for
from security import paths

DIRECTORY_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
#: O_NONBLOCK: opening a FIFO planted in the library must not hang the scan.
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
_GONE = frozenset({errno.ENOENT, errno.ENOTDIR})
DISAPPEARED = "file disappeared during the scan"


class RootUnavailable(Exception):
    pass


@dataclass
class Entry:
    """A file that may be media: its relative path, what its name claims (a ``MediaType``, or
    None for an unknown extension, which is sniffed), its ``stat`` (the target's, for a link) and
    whether it was reached through a symbolic link."""

    rel: bytes
    claimed: object
    info: os.stat_result
    _open: object
    symlink: bool = False
    #: The name of its folder's cover picture (``cover.jpg``…), if the folder has one.
    sidecar: bytes | None = None
    _open_sidecar: object = None

    def open(self):
        """An open descriptor on the file, contained as the module says; ``OSError`` if it cannot be."""
        return self._open()

    def open_sidecar(self):
        """An open descriptor on its folder's cover picture, never through a link; ``OSError``
        if it cannot be opened."""
        return self._open_sidecar()


@dataclass
class Refusal:
    """A file met that cannot be taken in, and why. ``present``: it is there (so its location is
    not marked missing), as opposed to gone before the scan could look."""

    rel: bytes
    reason: str
    present: bool = True


class Walk:
    """The entries of ``root`` (a real path, as stored), or only those under ``scope`` (relative
    raw paths); :attr:`unlisted` gathers the directories that could not be listed, whose known
    files must not be taken for gone."""

    def __init__(self, root, scope=None):
        self.root = os.fsencode(root)
        self.scope = _outermost(scope) if scope is not None else None
        self.unlisted = []
        self._root_fd = None

    def __enter__(self):
        try:
            self._root_fd = os.open(self.root, DIRECTORY_FLAGS)
        except OSError as error:
            raise RootUnavailable(f"The folder could not be opened: {error.strerror or error}") from error
        return self

    def __exit__(self, *exc_info):
        if self._root_fd is not None:
            os.close(self._root_fd)
            self._root_fd = None
        return False

    def count(self):
        """How many entries a walk would yield at most: files whose name is not ignored. No
        ``stat`` and no open: this is the progress bar's 100 %, counted before the scan begins."""
        total = 0
        for start in self._starts():
            stack = [start]
            while stack:
                rel = stack.pop()
                try:
                    directory_fd = self._open_directory(rel)
                except OSError:
                    continue
                try:
                    with os.scandir(directory_fd) as listing:
                        for entry in listing:
                            name = os.fsencode(entry.name)
                            if _is_directory(entry):
                                stack.append(_join(rel, name))
                            elif detect.by_extension(name) is not False:
                                total += 1
                except OSError:
                    pass
                finally:
                    os.close(directory_fd)
        for parent_fd, rel, name in self._scoped_files():
            os.close(parent_fd)
            total += detect.by_extension(name) is not False
        return total

    def __iter__(self):
        for start in self._starts():
            yield from self._tree(start)
        for parent_fd, rel, name in self._scoped_files():
            try:
                yield from self._one(parent_fd, rel, name, None, _sidecar_in(_listed(parent_fd)))
            finally:
                os.close(parent_fd)

    # --- directories -------------------------------------------------------------------------

    def _starts(self):
        """The directories the walk starts from, as relative paths (``b""``: the root)."""
        if self.scope is None:
            return [b""]
        return [rel for rel in self.scope if self._kind(rel) == "directory"]

    def _tree(self, start):
        """Every entry under the directory ``start``, depth first in name order; a directory's
        descriptor stays open while its entries are handed out (they are opened through it)."""
        stack = [start]
        while stack:
            rel = stack.pop()
            try:
                directory_fd = self._open_directory(rel)
            except OSError as error:
                yield self._unlisted(rel, error)
                continue
            try:
                with os.scandir(directory_fd) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError as error:
                os.close(directory_fd)
                yield self._unlisted(rel, error)
                continue
            try:
                subdirectories = []
                sidecar = _sidecar_in(entry.name for entry in entries)
                for entry in entries:
                    name = os.fsencode(entry.name)
                    if _is_directory(entry):
                        subdirectories.append(_join(rel, name))
                    else:
                        yield from self._one(directory_fd, _join(rel, name), name, entry, sidecar)
                stack.extend(reversed(subdirectories))
            finally:
                os.close(directory_fd)

    def _unlisted(self, rel, error):
        """A directory that cannot be listed: the scan fails if it is the root; otherwise its
        known files are not taken for gone, and the refusal says why."""
        if not rel:
            raise RootUnavailable(f"The folder could not be listed: {error.strerror or error}") from error
        self.unlisted.append(rel + b"/")
        return Refusal(rel + b"/", f"directory could not be listed: {error.strerror or error}")

    # --- one entry ---------------------------------------------------------------------------

    def _one(self, directory_fd, rel, name, entry, sidecar=None):
        """What the walk makes of one name in an open directory (``entry``: its listing, if any;
        ``sidecar``: the name of the directory's cover picture, if any)."""
        claimed = detect.by_extension(name)
        if claimed is False:
            return
        try:
            found = entry.stat(follow_symlinks=False) if entry is not None else os.stat(name, dir_fd=directory_fd, follow_symlinks=False)
        except OSError as error:
            if claimed:
                yield Refusal(rel, *_unreadable(error))
            return
        if stat.S_ISDIR(found.st_mode):
            return
        covers = {}
        if sidecar is not None and sidecar != name:
            covers = {"sidecar": sidecar, "_open_sidecar": lambda: os.open(sidecar, FILE_FLAGS, dir_fd=directory_fd)}
        if stat.S_ISLNK(found.st_mode):
            yield from self._link(directory_fd, rel, name, claimed, covers)
        elif stat.S_ISREG(found.st_mode):
            yield Entry(rel, claimed, found, lambda: os.open(name, FILE_FLAGS, dir_fd=directory_fd), **covers)
        elif claimed:
            yield Refusal(rel, "not a regular file (a pipe, socket or device)")

    def _link(self, directory_fd, rel, name, claimed, covers):
        """A symbolic link: followed to a regular file inside the root, refused otherwise (only
        links named as media are worth a refusal; others may be anything)."""
        try:
            target = os.stat(name, dir_fd=directory_fd)
        except OSError as error:
            if claimed:
                missing = error.errno in _GONE
                yield Refusal(rel, "broken symbolic link" if missing else reason_for(error))
            return
        real = os.path.realpath(os.path.join(self.root, rel))
        if real == self.root.rstrip(b"/") or not paths.is_within(real, self.root):
            if claimed:
                yield Refusal(rel, "symbolic link leads outside the library root")
            return
        if stat.S_ISREG(target.st_mode):
            inner = real[len(self.root.rstrip(b"/")) + 1:]
            yield Entry(rel, claimed, target, lambda: self._open_inside(inner), symlink=True, **covers)

    # --- opening without following links -------------------------------------------------------

    def _open_directory(self, rel):
        fd = os.dup(self._root_fd)
        try:
            for part in _parts(rel):
                child = os.open(part, DIRECTORY_FLAGS, dir_fd=fd)
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _open_inside(self, rel):
        """Open a root-relative path that must hold no symbolic link (a real path's tail)."""
        parent, name = _split(rel)
        parent_fd = self._open_directory(parent)
        try:
            return os.open(name, FILE_FLAGS, dir_fd=parent_fd)
        finally:
            os.close(parent_fd)

    def _kind(self, rel):
        """``"directory"``, ``"file"`` (anything else that is there) or None (gone, or behind a
        link the walk does not follow) for a scope path."""
        parent, name = _split(rel)
        try:
            parent_fd = self._open_directory(parent)
        except OSError:
            return None
        try:
            found = os.stat(name, dir_fd=parent_fd, follow_symlinks=False)
        except OSError:
            return None
        finally:
            os.close(parent_fd)
        return "directory" if stat.S_ISDIR(found.st_mode) else "file"

    def _scoped_files(self):
        """``(parent descriptor, relative path, name)`` of each scope path that is not a directory;
        the caller closes the descriptor."""
        for rel in self.scope or ():
            if self._kind(rel) != "file":
                continue
            parent, name = _split(rel)
            try:
                yield self._open_directory(parent), rel, name
            except OSError:
                continue

    def covers(self, rel):
        """Whether ``rel`` (a known location) lies in what this walk looked at."""
        if self.scope is None:
            return True
        return any(rel == path or rel.startswith(path + b"/") for path in self.scope)


def _unreadable(error):
    """``(reason, present)`` of a file that could not be looked at."""
    if error.errno in _GONE:
        return DISAPPEARED, False
    return reason_for(error), True


def _sidecar_in(names):
    """The cover picture among a directory's entry names, as bytes (see ``artwork.extract``)."""
    return sidecar_name(os.fsencode(name) for name in names)


def _listed(directory_fd):
    try:
        return os.listdir(directory_fd)
    except OSError:
        return []


def _is_directory(entry):
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _join(rel, name):
    return rel + b"/" + name if rel else name


def _parts(rel):
    parts = [part for part in rel.split(b"/") if part]
    if any(part in (b".", b"..") for part in parts):
        raise PermissionError(errno.EACCES, "not a canonical path")
    return parts


def _split(rel):
    parent, _, name = rel.rpartition(b"/")
    return parent, name


def _outermost(scope):
    """Scope paths without those that lie under another one (the outer one's walk covers them)."""
    kept = []
    for rel in sorted({path.strip(b"/") for path in scope if path.strip(b"/")}):
        if not any(rel.startswith(outer + b"/") for outer in kept):
            kept.append(rel)
    return kept
