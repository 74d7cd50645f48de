"""Running queued background tasks (scans, provider look-ups) with django-tasks-db's own worker.

Embedded default (``MEDIA_ENGINE_TASK_WORKER=inprocess``): ``manage.py serve`` starts
:func:`start_in_process_worker`, a daemon thread running the same ``Worker`` loop that
``manage.py db_worker`` runs. Scaled (``external``): the serve process runs no tasks and
``manage.py db_worker`` processes do.
"""

import logging
import threading

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from engine import startup
from library.ingestion.heartbeat import interval
from library.ingestion.services import recover_interrupted_scans, recover_stale_scans

logger = logging.getLogger(__name__)
BACKEND = "default"


def make_worker(*, batch, interval=1.0):
    return Worker(
        queue_names=["*"],
        interval=interval,
        batch=batch,
        backend_name=BACKEND,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"inprocess-{get_random_string(16)}",
        excluded_queue_names=[],
    )


def start_in_process_worker(*, interval=1.0):
    """Recover interrupted scans, then run the worker loop in a daemon thread; returns the thread.

    On the embedded database this thread is the engine's only worker, so a scan still marked
    RUNNING was left by a process that is gone and is re-queued at once. On a shared database
    another host's worker may be running it: only scans whose heartbeat is stale are taken.
    """
    if settings.MEDIA_ENGINE["EMBEDDED_DATABASE"]:
        recover_interrupted_scans()
    else:
        recover_stale_scans()
    worker = make_worker(batch=False, interval=interval)
    thread = threading.Thread(target=worker.run, name="task-worker", daemon=True)
    thread.worker = worker
    thread.start()
    logger.info("In-process task worker started (%s)", worker.worker_id)
    return thread


def start_scan_watchdog():
    """A daemon thread that re-queues scans whose worker died, every quarter stale period.

    Every serving process runs one, in both task-worker modes: ``db_worker`` processes are
    django-tasks-db's own loop and cannot be given the job, and a killed worker must not leave
    its folder blocked until somebody restarts something.
    """
    thread = threading.Thread(target=_watch_scans, args=(interval(),), name="scan-watchdog", daemon=True)
    thread.start()
    return thread


def start_beside_server():
    """What ``manage.py serve`` starts in its process (registered with :mod:`engine.startup`).

    Embedded default: queued tasks run in a thread of this process (which also re-queues scans
    a killed process left RUNNING); ``external`` leaves them to db_worker. In both modes: a scan
    whose worker was killed is re-queued once its heartbeat is stale.
    """
    if startup.tasks_run_in_process():
        start_in_process_worker()
    start_scan_watchdog()


def _watch_scans(period):
    stop = threading.Event()
    while not stop.wait(period):
        try:
            recover_stale_scans()
        except Exception:
            logger.exception("Recovering stale scans failed; trying again in %.0f s.", period)
        finally:
            connection.close()
