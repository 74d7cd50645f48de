"""Running queued background tasks (scans, provider look-ups) with django-tasks-db's own worker.

Each queue has a worker of its own, so no kind of work waits behind another: ``scans`` (library
scans, which a user waits for), ``lookups`` (provider look-ups, paced by the providers' rate
limits: MusicBrainz allows one request a second) and ``default`` (provider probes,
re-resolution). Embedded default (``MEDIA_ENGINE_TASK_WORKER=inprocess``): ``manage.py serve``
runs one thread per queue (:func:`start_in_process_workers`), each the same ``Worker`` loop that
``manage.py db_worker`` runs. Scaled (``external``): the serve process runs no tasks and
``manage.py db_worker --queue-name <queue>`` processes do, as many per queue as wanted.
"""

import fcntl
import logging
import os
import threading

from django.conf import settings
from django.db import connection
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker

from engine import startup
from library.ingestion.heartbeat import interval
from library.ingestion.schedule import start_periodic_rescans
from library.ingestion.services import recover_interrupted_scans, recover_stale_scans
from library.ingestion.watching import start_watching

logger = logging.getLogger(__name__)
BACKEND = "default"
#: Queue → seconds an idle worker waits before looking again. A scan asked for must start within
#: a second, and a rescan of an unchanged folder takes well under one: its queue is looked at ten
#: times a second (one indexed query each).
QUEUES = {"scans": 0.1, "lookups": 1.0, "default": 1.0}
#: Held (``flock``) by a process whose in-process workers run scans: ``manage.py scan`` hands its
#: scan to that process, whose hub the clients are connected to (see the command).
LOCK_NAME = "task-worker.lock"
_lock = []


def make_worker(*, batch, queues=("*",), interval=1.0):
    return Worker(
        queue_names=list(queues),
        interval=interval,
        batch=batch,
        backend_name=BACKEND,
        startup_delay=False,
        max_tasks=None,
        worker_id=f"inprocess-{'-'.join(queues).replace('*', 'all')}-{get_random_string(12)}",
        excluded_queue_names=[],
    )


def start_in_process_workers():
    """Recover interrupted scans, then run one worker thread per queue; returns the threads.

    On the embedded database these threads are the engine's only workers, so a scan still marked
    RUNNING was left by a process that is gone and is re-queued at once. On a shared database
    another host's worker may be running it: only scans whose heartbeat is stale are taken.
    """
    _hold_lock()
    if settings.MEDIA_ENGINE["EMBEDDED_DATABASE"]:
        recover_interrupted_scans()
    else:
        recover_stale_scans()
    threads = []
    for queue, wait in QUEUES.items():
        worker = make_worker(batch=False, queues=(queue,), interval=wait)
        thread = threading.Thread(target=worker.run, name=f"task-worker-{queue}", daemon=True)
        thread.worker = worker
        thread.start()
        threads.append(thread)
        logger.info("In-process task worker for the %s queue started (%s)", queue, worker.worker_id)
    return threads


def lock_path():
    return os.path.join(settings.MEDIA_ENGINE["DATA_DIR"], LOCK_NAME)


def _hold_lock():
    """Take the data directory's task-worker lock for the life of this process (never released:
    the kernel drops it when the process ends, however it ends)."""
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        logger.warning("Another process of this data directory already runs in-process task workers.")
        return
    _lock.append(fd)


def in_process_workers_running():
    """Whether a process (a running ``manage.py serve``) runs in-process workers for this data
    directory: its lock is held."""
    try:
        fd = os.open(lock_path(), os.O_RDWR | os.O_CLOEXEC)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


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

    Embedded default: one task worker thread per queue (which also re-queue scans a killed
    process left RUNNING); ``external`` leaves the tasks to db_worker. In both modes: the watchdog
    that re-queues scans whose worker died, the watcher of library folders and the periodic
    rescans.
    """
    if startup.tasks_run_in_process():
        start_in_process_workers()
    start_scan_watchdog()
    start_watching()
    start_periodic_rescans()


def _watch_scans(period):
    stop = threading.Event()
    while not stop.wait(period):
        try:
            recover_stale_scans()
        except Exception:
            logger.exception("Recovering stale scans failed; trying again in %.0f s.", period)
        finally:
            connection.close()
