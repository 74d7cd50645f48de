"""Watching the library folders: files created, changed, moved or deleted are scanned within
seconds, by an incremental scan of just those paths.

``watchfiles`` (inotify on Linux) reports changed paths under every enabled folder. A path is
scanned once nothing has happened to it for :data:`QUIET` seconds (a file being copied keeps
changing until it is whole), together with the other quiet paths of its folder, as one scan
limited to them (``trigger="watch"``: its hub events name the paths). A folder whose scan is
queued or running keeps its paths for the next round: one scan per folder at a time.

Where watching cannot work, the periodic full rescan (``MEDIA_ENGINE_SCAN_INTERVAL``,
``library.ingestion.schedule``) finds the changes:

- the kernel's inotify watch limit reached (``fs.inotify.max_user_watches``): a warning says
  so and how to raise it, and watching is tried again every :data:`RETRY_AFTER` seconds;
- changes watchfiles cannot report (a file name that is not UTF-8, an error of the kernel's
  queue): what changed is unknown, so every folder gets a full rescan and watching restarts.

``MEDIA_ENGINE_WATCH=false`` turns watching off.
"""

import logging
import os
import threading
import time
from pathlib import Path

import watchfiles
from django.conf import settings
from django.db import connection
from watchfiles._rust_notify import WatchfilesRustInternalError

from engine.errors import Conflict
from library.ingestion import detect, services
from library.models import LibraryRoot, ScanTrigger

logger = logging.getLogger(__name__)

#: Seconds a path must have been left alone before it is scanned.
QUIET = 1.0
#: watchfiles groups the kernel's events for this many milliseconds.
DEBOUNCE_MS = 300
#: Seconds between looks at which folders are enabled (a folder added is watched within this).
ROOTS_EVERY = 5.0
#: Seconds before watching is tried again after the kernel refused it.
RETRY_AFTER = 600
LIMIT_FILE = "/proc/sys/fs/inotify/max_user_watches"


def start_watching():
    """The watcher's daemon thread (when ``MEDIA_ENGINE_WATCH`` is on); None when off."""
    if not settings.MEDIA_ENGINE["WATCH"]:
        logger.info("Watching library folders is off (MEDIA_ENGINE_WATCH=false).")
        return None
    watcher = LibraryWatcher()
    watcher.start()
    return watcher


def _limit_reached(error):
    text = str(error)
    return "MaxFilesWatch" in text or "watch limit" in text or "Too many open files" in text


class LibraryWatcher:
    def __init__(self):
        self._stop = threading.Event()
        self._pending = {}  # folder id → {raw relative path: monotonic time of its last change}
        self._thread = threading.Thread(target=self._run, name="library-watcher", daemon=True)

    def start(self):
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            try:
                roots = self._roots()
                if roots:
                    self._watch(roots)
                else:
                    self._stop.wait(ROOTS_EVERY)
            except Exception as error:
                if _limit_reached(error):
                    self._unavailable()
                elif isinstance(error, (WatchfilesRustInternalError, OSError)):
                    logger.warning("Watching library folders lost track of changes (%s); every folder is rescanned.", error)
                    self._rescan_everything()
                else:
                    logger.exception("Watching library folders failed; trying again in %.0f s.", ROOTS_EVERY)
                    self._stop.wait(ROOTS_EVERY)
            finally:
                connection.close()

    def _roots(self):
        """``{folder id: path}`` of the enabled folders."""
        try:
            return dict(LibraryRoot.objects.filter(enabled=True).values_list("id", "path"))
        finally:
            connection.close()

    def _watch(self, roots):
        """Follow the changes under ``roots`` until the set of enabled folders changes.

        A directory the engine may not read cannot be watched; rather than give up on the rest,
        watching starts again without it. (Only then: watchfiles' leniency hides every other
        refusal too, the watch limit included.)"""
        logger.info("Watching %d library folder(s) for changes.", len(roots))
        try:
            self._follow(roots, lenient=False)
        except PermissionError as error:
            logger.warning("Part of a library folder cannot be watched (%s); changes there are found by the periodic rescan.", error)
            self._follow(roots, lenient=True)

    def _follow(self, roots, *, lenient):
        next_look = time.monotonic() + ROOTS_EVERY
        changes_seen = watchfiles.watch(
            *roots.values(), watch_filter=None, debounce=DEBOUNCE_MS, step=50, stop_event=self._stop,
            rust_timeout=int(QUIET * 500), yield_on_timeout=True, raise_interrupt=False, recursive=True,
            ignore_permission_denied=lenient,
        )
        for changes in changes_seen:
            self._note(changes, roots)
            self._queue_quiet(roots)
            if time.monotonic() >= next_look:
                next_look = time.monotonic() + ROOTS_EVERY
                if self._roots() != roots:
                    return  # watch the folders as they are now

    def _note(self, changes, roots):
        now = time.monotonic()
        for _, path in changes:
            for folder_id, root in roots.items():
                if path.startswith(root.rstrip("/") + "/"):
                    rel = os.fsencode(path)[len(os.fsencode(root.rstrip("/"))) + 1:]
                    if _worth_a_scan(path, rel):
                        self._pending.setdefault(folder_id, {})[rel] = now
                    break

    def _queue_quiet(self, roots):
        """Queue a scan of the paths left alone for :data:`QUIET` seconds, per folder."""
        now = time.monotonic()
        try:
            for folder_id, paths in list(self._pending.items()):
                quiet = [rel for rel, changed in paths.items() if now - changed >= QUIET]
                if not quiet:
                    continue
                folder = LibraryRoot.objects.filter(pk=folder_id, enabled=True).first()
                if folder is None:
                    self._pending.pop(folder_id)
                    continue
                try:
                    job = services.queue_scan(folder, trigger=ScanTrigger.WATCH, paths=quiet)
                except Conflict:
                    continue  # a scan of the folder is queued or running: the paths wait for it
                logger.info("Changes in %s: scan %s of %d path(s).", folder.path, job.pk, len(quiet))
                for rel in quiet:
                    paths.pop(rel)
                if not paths:
                    self._pending.pop(folder_id)
        finally:
            connection.close()

    def _unavailable(self):
        try:
            limit = Path(LIMIT_FILE).read_text().strip()
        except OSError:
            limit = "?"
        interval = settings.MEDIA_ENGINE["SCAN_INTERVAL"]
        fallback = (
            f"changes are found by the full rescan every {interval} s (MEDIA_ENGINE_SCAN_INTERVAL)"
            if interval > 0 else
            "and MEDIA_ENGINE_SCAN_INTERVAL is 0, so changes are found only when a scan is started"
        )
        logger.warning(
            "Watching library folders is unavailable: the kernel's inotify watch limit is reached "
            "(fs.inotify.max_user_watches = %s); %s. Raise the limit (e.g. sysctl -w "
            "fs.inotify.max_user_watches=524288, and in /etc/sysctl.d/ to keep it); watching is "
            "tried again in %d s.", limit, fallback, RETRY_AFTER,
        )
        self._stop.wait(RETRY_AFTER)

    def _rescan_everything(self):
        self._pending.clear()
        try:
            for folder in LibraryRoot.objects.filter(enabled=True):
                try:
                    services.queue_scan(folder, trigger=ScanTrigger.WATCH)
                except Conflict:
                    continue
        finally:
            connection.close()
        self._stop.wait(QUIET)


def _worth_a_scan(path, rel):
    """Changes to files the scan ignores by name (artwork, sidecars, playlists) are not worth a
    scan; a directory with such a name still is (its files may be media)."""
    if not rel:
        return False
    return detect.by_extension(os.path.basename(rel)) is not False or os.path.isdir(path)
