"""The periodic full rescan: every enabled folder is scanned again ``MEDIA_ENGINE_SCAN_INTERVAL``
seconds after its last full scan ended (or after it was added), whatever watching saw.

It is the fallback where watching is off or impossible (the kernel's watch limit, a network
share whose changes inotify never hears of) and a safety net where it works: a rescan of an
unchanged folder only looks at sizes and modification times. A folder with a scan queued or
running is left for the next look. ``0`` turns periodic rescans off.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q
from django.utils import timezone

from engine.errors import Conflict
from library.ingestion import services
from library.models import LibraryRoot, ScanState, ScanTrigger

logger = logging.getLogger(__name__)
#: The longest time between looks for folders that are due.
LOOK_EVERY = 60.0


def start_periodic_rescans():
    """The scheduler's daemon thread, or None when ``MEDIA_ENGINE_SCAN_INTERVAL`` is 0."""
    interval = settings.MEDIA_ENGINE["SCAN_INTERVAL"]
    if interval <= 0:
        logger.info("Periodic rescans are off (MEDIA_ENGINE_SCAN_INTERVAL=0).")
        return None
    thread = threading.Thread(target=_run, args=(interval,), name="periodic-rescans", daemon=True)
    thread.start()
    return thread


def _run(interval):
    pause = min(LOOK_EVERY, max(1.0, interval / 4))
    stop = threading.Event()
    while not stop.wait(pause):
        try:
            for folder in due(interval):
                try:
                    job = services.queue_scan(folder, trigger=ScanTrigger.SCHEDULE)
                except Conflict:
                    continue
                logger.info("Periodic rescan %s of %s.", job.pk, folder.path)
        except Exception:
            logger.exception("Queueing periodic rescans failed; trying again in %.0f s.", pause)
        finally:
            connection.close()


def due(interval, now=None):
    """Enabled folders whose last full scan ended (or which were added) ``interval`` seconds ago."""
    cutoff = (now or timezone.now()) - timedelta(seconds=interval)
    folders = LibraryRoot.objects.filter(enabled=True).annotate(
        last_full_scan=Max("scan_jobs__finished_at", filter=Q(scan_jobs__paths__isnull=True, scan_jobs__state__in=[ScanState.COMPLETED, ScanState.FAILED])),
    )
    return [
        folder for folder in folders
        if (folder.last_full_scan or folder.created_at) <= cutoff
    ]
