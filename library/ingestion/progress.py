"""A running scan's progress: its counters, written to the job row and announced on the hub.

The counters add up: every file met is exactly one of added, updated, unchanged or failed, and
``seen`` is their sum. Writes of the job happen at most every :data:`INTERVAL` seconds (and at
the end), each with an ``IngestionProgress`` event; every write is fenced: a run whose job
another process re-queued (its heartbeat had gone stale) raises :class:`ScanTakenOver` and must
stop without touching the job again.
"""

import time

from django.utils import timezone

from library import events
from library.ingestion.heartbeat import this_run

#: Seconds between writes of the job row (and IngestionProgress events).
INTERVAL = 0.25
COUNTS = ("seen", "added", "updated", "unchanged", "missing", "failed")
FINAL_FIELDS = ("state", "error", "finished_at", "current_file", "total", *COUNTS)


class ScanTakenOver(Exception):
    """The job was re-queued by another process: this run must stop and never write it again."""


def display(raw):
    """The human form of a raw (bytes) relative path; undecodable bytes shown as ``\\xNN``."""
    return raw.decode("utf-8", errors="backslashreplace")


class ScanProgress:
    """Keeps ``job``'s counters; ``on_progress(job)`` is called after each write."""

    def __init__(self, job, on_progress=None):
        self.job, self.on_progress = job, on_progress
        self._last = 0.0

    def count(self, outcome, rel=None):
        """One more file ``outcome`` (``"added"``, ``"updated"``, ``"unchanged"``, ``"failed"``)."""
        job = self.job
        setattr(job, outcome, getattr(job, outcome) + 1)
        job.seen = job.added + job.updated + job.unchanged + job.failed
        if rel is not None:
            job.current_file = display(rel)

    def total(self, total):
        self.job.total = total
        self.report(force=True)

    def report(self, force=False):
        now = time.monotonic()
        if not force and now - self._last < INTERVAL:
            return
        self._last = now
        self.job.heartbeat_at = timezone.now()
        self.save("total", *COUNTS, "current_file", "heartbeat_at")
        events.scan_progress(self.job)
        if self.on_progress is not None:
            self.on_progress(self.job)

    def save(self, *fields):
        if not this_run(self.job).update(**{name: getattr(self.job, name) for name in fields}):
            raise ScanTakenOver()

    def finish(self, state, error=""):
        """Write the job's end; True unless another process had taken the job over."""
        job = self.job
        job.state, job.error = state, error
        job.finished_at = timezone.now()
        job.current_file = ""
        if state == "completed":
            job.total = job.seen  # what the walk counted may include files that were no media
        try:
            self.save(*FINAL_FIELDS)
        except ScanTakenOver:
            return False
        if self.on_progress is not None:
            self.on_progress(job)
        return True
