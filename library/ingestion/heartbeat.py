"""A running scan's heartbeat: proof to every other process that its worker is alive.

A worker killed mid-scan (SIGKILL, OOM, a host that lost power) cannot mark its job failed, and
the job would block its folder forever under the one-active-scan rule. So while a scan runs, a
thread of its own writes ``ScanJob.heartbeat_at`` every quarter of ``SCAN_STALE_AFTER``,
independent of how long any one file takes to hash (a 80 GB remux on a slow disk takes minutes).
Any serving process re-queues a job whose heartbeat is older than ``SCAN_STALE_AFTER``.

The write is conditional on the job still being this run's (same ``task_id``, still active): once
another process has re-queued the job, the beat finds no row and stops, and the scanner's own
conditional writes refuse to touch the job again (see ``Scanner._save``).
"""

import logging
import threading

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from library.models import ScanJob, ScanState

logger = logging.getLogger(__name__)
ACTIVE = (ScanState.QUEUED, ScanState.RUNNING)


def stale_after():
    """Seconds without a heartbeat after which a running scan is taken to have lost its worker."""
    return max(1, int(settings.MEDIA_ENGINE["SCAN_STALE_AFTER"]))


def interval():
    return stale_after() / 4


def this_run(job):
    """The job's row while it still belongs to this run of it."""
    return ScanJob.objects.filter(pk=job.pk, task_id=job.task_id, state__in=ACTIVE)


class Heartbeat:
    """Beats ``job``'s heartbeat from a daemon thread while the ``with`` block runs."""

    def __init__(self, job):
        self.job = job
        self.period = interval()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"scan-heartbeat-{job.pk}", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False

    def _run(self):
        try:
            while not self._stop.wait(self.period):
                if not self.beat():
                    logger.warning("Scan %s was re-queued by another process; its heartbeat stops.", self.job.pk)
                    return
        finally:
            connection.close()

    def beat(self):
        """True while the job is still this run's. A database too busy to answer is no reason to stop."""
        try:
            return this_run(self.job).update(heartbeat_at=timezone.now()) == 1
        except DatabaseError as error:
            logger.warning("Scan %s heartbeat not written: %s", self.job.pk, error)
            return True
