"""One scan of one library root, start to end; each step is its own module.

1. ``roots.RootGuard``: the root is still the validated folder, readable, not an empty mount point.
2. ``walk.Walk``: counts what there is (the progress bar's 100 %), then finds it without leaving
   the root.
3. ``dispatch.Dispatcher``: in a thread of its own, skips unchanged files (same size and
   modification time) and hands the others, open, to ``sandbox.ReaderPool``, whose sandboxed
   processes sniff, hash and parse them.
4. ``recording.Recorder``: writes assets, works, claims, locations and failures in batches, and
   at the end marks missing what the walk did not meet, if the root was there the whole time.
5. ``progress.ScanProgress``: the job's counters, fenced writes and hub events.

Every file that cannot be taken in becomes a ``ScanFailure`` with its reason and the scan goes on;
only a root that cannot be opened fails the scan. Provider look-ups for the new works are queued
when it completes (on their own queue: they never hold up a scan).
"""

import logging
import os

from django.conf import settings

from library import events
from library.ingestion.dispatch import Dispatcher
from library.ingestion.heartbeat import Heartbeat
from library.ingestion.limits import MIB, Limits
from library.ingestion.probe import prober
from library.ingestion.progress import ScanProgress, ScanTakenOver
from library.ingestion.recording import Recorder, known_locations
from library.ingestion.roots import RootGuard
from library.ingestion.sandbox import ReaderPool
from library.ingestion.walk import Walk
from library.models import ScanState
from library.providers.services import enqueue_lookups

logger = logging.getLogger(__name__)


def reader_pool():
    """A pool of the configured size (one reader per core by default) under the configured limits."""
    config = settings.MEDIA_ENGINE
    limits = Limits(
        cpu_seconds=config["SCAN_CPU_LIMIT"],
        timeout_seconds=config["SCAN_FILE_TIMEOUT"],
        memory_bytes=config["SCAN_MEMORY_LIMIT"] * MIB,
    )
    parse_options = {"probe": prober(config["FFPROBE"], config["FFPROBE_TIMEOUT"])}
    return ReaderPool(config["SCAN_WORKERS"] or os.cpu_count() or 1, limits, parse_options)


class Scanner:
    """Runs ``job`` (already marked running) over ``job.folder``; ``on_progress(job)`` is called
    after each write of its progress."""

    def __init__(self, job, *, on_progress=None):
        self.job = job
        self.root = job.folder
        self.progress = ScanProgress(job, on_progress)

    def run(self):
        events.scan_started(self.job)
        with Heartbeat(self.job):
            try:
                added = self._scan()
            except ScanTakenOver:
                logger.warning("Scan %s of %s stopped: another process re-queued it.", self.job.pk, self.root.path)
                return self.job
            except Exception as error:  # the job row must never be left RUNNING by a crash
                logger.exception("Scan %s of %s failed", self.job.pk, self.root.path)
                if self.progress.finish(ScanState.FAILED, str(error)[:2000] or error.__class__.__name__):
                    events.scan_failed(self.job)
                return self.job
        if self.progress.finish(ScanState.COMPLETED):
            enqueue_lookups(added)
            events.scan_completed(self.job)
        return self.job

    def _scan(self):
        guard = RootGuard(self.root)
        guard.check_before()
        with Walk(self.root.path, scope=self.job.scope) as walk:
            self.progress.total(walk.count())
            recorder = Recorder(self.job, self.root, known_locations(self.root, walk), self.progress)
            with reader_pool() as pool, Dispatcher(walk, recorder.known, pool) as dispatcher:
                for item in dispatcher:
                    recorder.take(item)
            recorder.flush()
            guard.check_after()
            recorder.finish(walk.unlisted)
        return recorder.added_work_ids
