"""One scan of one library root: walk, recognise, fingerprint, tag, and record.

The walk never leaves the root: directories are entered with ``follow_symlinks=False``;
symbolic links to *files* are followed only when their real path stays inside the root; links to
directories are never followed (their target, being inside the root, is walked anyway, and a
loop cannot form). Every file that cannot be taken in becomes a :class:`ScanFailure` with its
reason and the walk goes on; only a root that cannot be opened at all fails the scan.

Names are handled as bytes from start to end (``raw_path``), so files whose names are not
valid UTF-8 are found, stored and later opened exactly.
"""

import errno
import logging
import os
import stat
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from library import events
from library.folders.services import refresh_health
from library.ingestion import detect, sidecars, works
from library.ingestion.hashing import fingerprint
from library.ingestion.heartbeat import Heartbeat, this_run
from library.ingestion.probe import prober
from library.ingestion.tags import TagError, read_embedded
from library.metadata.selectors import source_weights
from library.models import Asset, AssetLocation, AssetRole, ScanFailure, ScanState, Work
from library.providers.services import enqueue_lookups
from security import paths

logger = logging.getLogger(__name__)

#: Writes of the job row (and IngestionProgress events) happen at most this often.
PROGRESS_INTERVAL = 0.25
UPDATE_CHUNK = 500


def display_path(raw):
    """The human form of a raw (bytes) relative path; undecodable bytes shown as ``\\xNN``."""
    return raw.decode("utf-8", errors="backslashreplace")


@dataclass
class _Known:
    """A location the root already had before this scan."""

    id: int
    size: int
    mtime_ns: int
    missing: bool


class RootUnavailable(Exception):
    pass


class ScanTakenOver(Exception):
    """The job was re-queued by another process (this run's heartbeat had gone stale): this run
    must stop and never write the job again."""


class Scanner:
    """Scans ``job.folder`` and keeps ``job``'s counts; ``on_progress(job)`` is called as it goes."""

    def __init__(self, job, *, on_progress=None):
        self.job = job
        self.root = job.folder
        self.on_progress = on_progress
        self.root_bytes = os.fsencode(self.root.path)
        self._last_report = 0.0
        self._known = {}
        self._seen = set()
        self._unlisted_dirs = []
        self._pending_seen = []
        self._subdirectories = {}
        self._root_identity = None
        self._added_work_ids = []
        self._source_weights = None
        self._sidecar_video = {}
        self._prober = prober(settings.MEDIA_ENGINE["FFPROBE"], settings.MEDIA_ENGINE["FFPROBE_TIMEOUT"])

    # --- the whole scan ------------------------------------------------------------------------

    def run(self):
        job = self.job
        job.state = ScanState.RUNNING
        job.started_at = job.heartbeat_at = timezone.now()
        try:
            self._save("state", "started_at", "heartbeat_at")
        except ScanTakenOver:
            return job
        events.scan_started(job)
        with Heartbeat(job):
            return self._run()

    def _run(self):
        job = self.job
        try:
            self._check_root()
            self._load_known()
            for directory, relative in self._walk():
                self._scan_directory(directory, relative)
            self._check_root_still_there()
            self._flush_seen()
            self._mark_missing()
        except ScanTakenOver:
            logger.warning("Scan %s of %s stopped: another process re-queued it.", job.pk, self.root.path)
            return job
        except Exception as error:  # the job row must never be left RUNNING by a crash
            logger.exception("Scan %s of %s failed", job.pk, self.root.path)
            job.state = ScanState.FAILED
            job.error = str(error)[:2000] or error.__class__.__name__
            return self._finish(events.scan_failed)
        job.state = ScanState.COMPLETED
        # Provider look-ups run as their own background tasks: a slow or failing provider never
        # holds up or fails the scan.
        enqueue_lookups(self._added_work_ids)
        return self._finish(events.scan_completed)

    def _finish(self, announce):
        job = self.job
        job.finished_at = timezone.now()
        job.current_file = ""
        try:
            self._save(*_FINAL_FIELDS)
        except ScanTakenOver:
            return job
        announce(job)
        return job

    def _save(self, *fields):
        """Write ``fields`` of the job, only while the job is still this run's (same task, active).

        A run whose job another process re-queued (it looked dead) must not overwrite the new
        run's counts or mark it finished: :class:`ScanTakenOver` stops it instead.
        """
        if not this_run(self.job).update(**{name: getattr(self.job, name) for name in fields}):
            raise ScanTakenOver()

    def _check_root(self):
        """The root must still be the validated real path, and readable, before anything is touched."""
        real = os.path.realpath(self.root.path)
        if real != self.root.path:
            raise RootUnavailable("The folder's path now leads elsewhere (a symbolic link was put in its place).")
        paths.check_location(real, data_dir=paths.engine_data_dir())
        refresh_health(self.root)
        if not (self.root.accessible and self.root.readable):
            raise RootUnavailable("The folder is not accessible or not readable.")
        self._root_identity = _identity(self.root_bytes)
        if self._root_looks_unmounted():
            raise RootUnavailable(
                "The folder is empty but files were found in it before; it looks unmounted, so nothing is marked missing."
            )

    def _root_looks_unmounted(self):
        """An empty root that had present files is a drive not mounted (the empty mount point
        shows), not a library whose every file was deleted: Sonarr's rule, for the same reason."""
        try:
            with os.scandir(self.root_bytes) as listing:
                if next(listing, None) is not None:
                    return False
        except OSError:
            return False  # unreadable is for the walk to report
        return AssetLocation.objects.filter(root=self.root, missing_since__isnull=True).exists()

    def _check_root_still_there(self):
        """Files not met in a walk are marked missing only if the root was there the whole time.

        A drive unmounted (or a folder renamed away, or made unreadable) mid-walk makes every
        file after that point look gone; the same device and inode, still readable, at the end
        means the walk saw the real folder.
        """
        refresh_health(self.root)
        if _identity(self.root_bytes) != self._root_identity or not (self.root.accessible and self.root.readable):
            raise RootUnavailable("The folder became unavailable during the scan (unmounted, moved or unreadable); nothing was marked missing.")

    def _load_known(self):
        rows = AssetLocation.objects.filter(root=self.root).values_list("id", "raw_path", "size", "mtime_ns", "missing_since")
        self._known = {bytes(raw): _Known(pk, size, mtime, missing is not None) for pk, raw, size, mtime, missing in rows}

    # --- the walk ------------------------------------------------------------------------------

    def _walk(self):
        """Directories to scan as ``(absolute bytes, relative bytes)``, depth first, sorted."""
        stack = [(self.root_bytes, b"")]
        while stack:
            directory, relative = stack.pop()
            yield directory, relative
            stack.extend(reversed(self._subdirectories.pop(directory, [])))

    def _scan_directory(self, directory, relative):
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            if relative:
                self._unlisted_dirs.append(relative + b"/")
                self._fail(relative, f"directory could not be listed: {error.strerror or error}")
                return
            raise RootUnavailable(f"The folder could not be listed: {error.strerror or error}") from error
        subdirectories = []
        # Subtitles come after the files of their folder, so their video is in the library first.
        owners = sidecars.pair([entry.name for entry in entries])
        entries = [entry for entry in entries if not sidecars.is_subtitle(entry.name)] + [entry for entry in entries if entry.name in owners]
        for entry in entries:
            rel = relative + b"/" + entry.name if relative else entry.name
            if entry.name in owners:
                self._sidecar_video[rel] = relative + b"/" + owners[entry.name] if relative else owners[entry.name]
            try:
                if entry.is_symlink():
                    self._scan_symlink(entry, rel)
                elif entry.is_dir(follow_symlinks=False):
                    subdirectories.append((entry.path, rel))
                elif entry.is_file(follow_symlinks=False):
                    self._scan_file(entry.path, rel, follow=False)
                elif detect.by_extension(entry.name):
                    self._count_seen()
                    self._fail(rel, "not a regular file (a pipe, socket or device)")
            except OSError as error:
                self._fail(rel, self._reason(error))
        self._subdirectories[directory] = subdirectories

    def _scan_symlink(self, entry, rel):
        try:
            target = os.stat(entry.path)
        except FileNotFoundError:
            self._fail(rel, "broken symbolic link")
            return
        except OSError as error:
            self._fail(rel, "symbolic link loop" if error.errno == errno.ELOOP else self._reason(error))
            return
        real = os.path.realpath(entry.path)
        if not paths.is_within(os.fsdecode(real), self.root.path):
            self._fail(rel, "symbolic link leads outside the library root")
            return
        if stat.S_ISREG(target.st_mode):
            self._scan_file(entry.path, rel, follow=True)
        # Links to directories are not followed: the target is inside the root and walked anyway.

    # --- one file ------------------------------------------------------------------------------

    def _scan_file(self, path, rel, *, follow):
        claimed = detect.by_extension(os.path.basename(rel))
        if claimed is False:
            return
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
        if not follow:
            flags |= getattr(os, "O_NOFOLLOW", 0)
        if claimed is None:
            self._scan_unnamed(path, rel, flags)
            return
        try:
            info = os.stat(path, follow_symlinks=follow)
        except FileNotFoundError:
            info = None
        if self._met(rel, info):
            with self._failures_recorded(rel):
                with _opened(path, flags) as fd:
                    self._take_in(fd, rel)
            self._report()

    def _scan_unnamed(self, path, rel, flags):
        """An unknown extension: the content is sniffed and hashed only when it is media, through
        one descriptor, so the first bytes are read once."""
        try:
            with _opened(path, flags) as fd:
                head, info = os.pread(fd, detect.SNIFF_BYTES, 0), os.fstat(fd)
                if detect.identify(os.path.basename(rel), head) is not None and self._met(rel, info):
                    with self._failures_recorded(rel):
                        self._take_in(fd, rel, head)
                    self._report()
        except OSError:
            pass  # not known to be media, so not worth a failure record

    def _met(self, rel, info):
        """Count a media file the walk met; True when it is to be taken in (new or changed), False
        when it is unchanged since the last scan or vanished (``info`` None) before a look."""
        self._count_seen()
        self.job.current_file = display_path(rel)
        if info is None:
            self._fail(rel, "file disappeared during the scan", present=False)
            return False
        known = self._known.get(rel)
        if known is not None and known.size == info.st_size and known.mtime_ns == info.st_mtime_ns:
            self._seen.add(rel)
            self._pending_seen.append((known.id, known.missing))
            self.job.unchanged += 1
            self._report()
            return False
        return True

    @contextmanager
    def _failures_recorded(self, rel):
        """A file that cannot be opened or read becomes a :class:`ScanFailure`; the walk goes on."""
        try:
            yield
        except FileNotFoundError:
            self._fail(rel, "file disappeared during the scan", present=False)
        except OSError as error:
            self._fail(rel, self._reason(error))

    def _take_in(self, fd, rel, head=None):
        """Check, hash, tag and record the file open as ``fd``; ``head`` is its first bytes when
        they have been read already."""
        name = os.path.basename(rel)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            self._fail(rel, "not a regular file (a pipe, socket or device)")
            return
        if info.st_size == 0:
            self._fail(rel, "empty file (0 bytes)")
            return
        if head is None:
            head = os.pread(fd, detect.SNIFF_BYTES, 0)
        media_type = detect.identify(name, head)
        if media_type is None:
            self._fail(rel, "content is not a recognised media format")
            return
        content_hash, size = fingerprint(fd)
        try:
            with os.fdopen(os.dup(fd), "rb") as stream:
                tags = read_embedded(stream, media_type, probe=self._prober)
        except TagError as error:
            logger.info("Tags of %r unreadable (%s); taking the file in by its name", display_path(rel), error)
            tags = {}
        self._record(rel, media_type, content_hash, size, info.st_mtime_ns, tags, self._known.get(rel))

    def _record(self, rel, media_type, content_hash, size, mtime_ns, tags, known):
        now = timezone.now()
        added_work = None
        with transaction.atomic():
            asset = Asset.objects.filter(content_hash=content_hash).first()
            if asset is None and media_type.category == detect.SUBTITLE:
                asset = self._sidecar_asset(rel, media_type, content_hash, size)
                if asset is None:
                    self._fail(rel, "the video beside this subtitle is not in the library")
                    return
            if asset is None:
                kind, claims = works.file_claims(media_type, self.root.media_kind, display_path(rel), tags)
                try:
                    with transaction.atomic():
                        work = Work.objects.create(kind=kind)
                        asset = Asset.objects.create(
                            work=work, content_hash=content_hash, size=size,
                            mime_type=media_type.mime_type, duration=tags.get("duration"), streams=tags.get("streams") or [],
                        )
                except IntegrityError:  # another scan took in the same content a moment ago
                    asset = Asset.objects.get(content_hash=content_hash)
                else:
                    if self._source_weights is None:  # read once a scan, not once a file
                        self._source_weights = source_weights()
                    works.record_file_claims(work, claims, now=now, weights=self._source_weights)
                    added_work = work
                    self._added_work_ids.append(work.pk)
            location_fields = dict(
                asset=asset, size=size, mtime_ns=mtime_ns, missing_since=None, seen_at=now, relative_path=display_path(rel),
                symlink=os.path.islink(os.path.join(self.root_bytes, rel)), utf8_path=_is_utf8(rel),
            )
            if known is not None:
                AssetLocation.objects.filter(pk=known.id).update(**location_fields)
                self.job.updated += 1
            else:
                AssetLocation.objects.create(root=self.root, raw_path=rel, **location_fields)
                self.job.added += 1
        self._seen.add(rel)
        if added_work is not None:
            events.media_added(added_work, asset, self.root)

    def _sidecar_asset(self, rel, media_type, content_hash, size):
        """A subtitle's new asset, attached to the work of the video beside it (None when that
        video is not in the library: it failed, or vanished)."""
        video = self._sidecar_video.get(rel)
        location = AssetLocation.objects.filter(root=self.root, raw_path=video, missing_since__isnull=True).first() if video else None
        if location is None:
            return None
        stream = sidecars.describe(os.path.basename(rel), os.path.basename(video))
        try:
            with transaction.atomic():
                return Asset.objects.create(
                    work_id=Asset.objects.filter(pk=location.asset_id).values_list("work_id", flat=True).get(),
                    role=AssetRole.SUBTITLE, content_hash=content_hash, size=size, mime_type=media_type.mime_type, streams=[stream],
                )
        except IntegrityError:  # another scan took in the same content a moment ago
            return Asset.objects.get(content_hash=content_hash)

    # --- bookkeeping ---------------------------------------------------------------------------

    def _count_seen(self):
        self.job.seen += 1

    def _fail(self, rel, reason, *, present=True):
        # A file that is there but failed is not "missing": its location (if any) stays as it was.
        if present:
            self._seen.add(rel)
        ScanFailure.objects.create(job=self.job, relative_path=display_path(rel), reason=reason[:500])
        self.job.failed += 1

    @staticmethod
    def _reason(error):
        if isinstance(error, PermissionError):
            return "permission denied"
        if error.errno == errno.ELOOP:
            return "symbolic link loop"
        return f"unreadable: {error.strerror or error}"

    def _flush_seen(self):
        now = timezone.now()
        present = [pk for pk, missing in self._pending_seen if not missing]
        returned = [pk for pk, missing in self._pending_seen if missing]
        for start in range(0, len(present), UPDATE_CHUNK):
            AssetLocation.objects.filter(pk__in=present[start : start + UPDATE_CHUNK]).update(seen_at=now)
        for start in range(0, len(returned), UPDATE_CHUNK):
            AssetLocation.objects.filter(pk__in=returned[start : start + UPDATE_CHUNK]).update(seen_at=now, missing_since=None)
        self._pending_seen = []

    def _mark_missing(self):
        """Locations not met in this walk are marked missing (never deleted: a drive may be unplugged)."""
        gone = [
            known.id for raw, known in self._known.items()
            if raw not in self._seen and not any(raw.startswith(prefix) for prefix in self._unlisted_dirs)
        ]
        now = timezone.now()
        for start in range(0, len(gone), UPDATE_CHUNK):
            AssetLocation.objects.filter(pk__in=gone[start : start + UPDATE_CHUNK], missing_since__isnull=True).update(missing_since=now)
        self.job.missing = len(gone)

    def _report(self, force=False):
        now = time.monotonic()
        if not force and now - self._last_report < PROGRESS_INTERVAL:
            return
        self._last_report = now
        self.job.heartbeat_at = timezone.now()
        self._save("seen", "added", "updated", "unchanged", "missing", "failed", "current_file", "heartbeat_at")
        events.scan_progress(self.job)
        if self.on_progress is not None:
            self.on_progress(self.job)


_FINAL_FIELDS = ("state", "error", "finished_at", "current_file", "seen", "added", "updated", "unchanged", "missing", "failed")


def _is_utf8(raw):
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _identity(path):
    """``(device, inode)`` of a directory, or None when it cannot be reached."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


@contextmanager
def _opened(path, flags):
    """``os.open`` as a context manager."""
    fd = os.open(path, flags)
    try:
        yield fd
    finally:
        os.close(fd)
