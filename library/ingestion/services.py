"""Starting, running and recovering scans; every entry point (API, command, worker) calls these."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from engine.errors import Conflict
from library import background
from library.ingestion.heartbeat import stale_after
from library.ingestion.scanner import Scanner
from library.models import LibraryRoot, ScanJob, ScanState, ScanTrigger
from security.audit import Actor, record

logger = logging.getLogger(__name__)
ACTIVE = (ScanState.QUEUED, ScanState.RUNNING)


def _new_job(folder, actor=None, *, trigger=ScanTrigger.MANUAL, paths=None):
    """A queued job for ``folder``, or :class:`Conflict` when one is already queued or running.

    The folder row is locked first (PostgreSQL) and SQLite's IMMEDIATE transactions serialise
    writers; the partial unique constraint ``one_active_scan_per_folder`` is the last word.
    ``paths`` (raw relative paths) limits the scan to them.
    """
    LibraryRoot.objects.select_for_update().filter(pk=folder.pk).first()
    if not folder.enabled:
        raise Conflict("This folder is disabled; enable it before scanning.", "folder_disabled")
    active = ScanJob.objects.filter(folder=folder, state__in=ACTIVE).first()
    if active is not None:
        raise Conflict(f"A scan of this folder is already {active.state} (job {active.pk}).", "scan_in_progress")
    scope = None if paths is None else b"\0".join(sorted(set(paths)))
    try:
        with transaction.atomic():
            job = ScanJob.objects.create(folder=folder, trigger=trigger, paths=scope)
    except IntegrityError:
        raise Conflict("A scan of this folder is already queued or running.", "scan_in_progress") from None
    record("scan.started", actor or Actor.engine(), f"folder {folder.pk}: job {job.pk}")
    return job


def queue_scan(folder, *, actor=None, trigger=ScanTrigger.MANUAL, paths=None):
    """Queue a background scan of ``folder`` (or of ``paths`` under it); the job, its task row and
    its audit record commit together. ``actor`` is who asked (the engine itself when None).

    A scan of the folder whose worker died is re-queued first, so the answer is the truthful
    "already queued" rather than a scan that never ends."""
    recover_stale_scans(folder=folder)
    with transaction.atomic():
        job = _new_job(folder, actor, trigger=trigger, paths=paths)
        result = background.enqueue("scan_folder", job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def rescan_changed(folder):
    """Queue a scan of ``folder``, which holds a file that changed since its scan; the scan takes
    that file in again (its identity no longer matches) and passes the unchanged rest by. A scan
    already queued or running does the same, so none is added beside it."""
    try:
        return queue_scan(folder)
    except Conflict:
        return None


def queue_all(*, actor=None):
    """Queue a scan of every enabled folder that has none queued or running."""
    jobs = []
    for folder in LibraryRoot.objects.filter(enabled=True):
        try:
            jobs.append(queue_scan(folder, actor=actor))
        except Conflict:
            continue
    return jobs


def start_foreground_scan(folder, *, actor=None):
    """A job for ``manage.py scan``, which runs it itself rather than through the task queue."""
    with transaction.atomic():
        return _new_job(folder, actor)


def run_job(job_id, *, on_progress=None):
    """Run a queued job to its end. A job that is no longer queued (already run, or recovered
    and re-queued under a new task) is left alone. ``started_at`` stays the first start; every
    start counts in ``attempts``."""
    with transaction.atomic():
        job = ScanJob.objects.select_for_update().select_related("folder").filter(pk=job_id).first()
        if job is None or job.state != ScanState.QUEUED:
            return job.state if job else "missing"
        now = timezone.now()
        job.state = ScanState.RUNNING
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.attempts += 1
        job.error = ""
        job.save(update_fields=["state", "started_at", "heartbeat_at", "attempts", "error"])
    return Scanner(job, on_progress=on_progress).run().state


def recover_interrupted_scans():
    """Put every scan left RUNNING back in the queue, under a fresh task.

    Call only where no other worker can be running one: at start-up of the in-process worker
    when it is the engine's only worker (see ``library.worker``). Elsewhere use
    :func:`recover_stale_scans`, which judges by the heartbeat.
    """
    return [job for job in ScanJob.objects.filter(state=ScanState.RUNNING) if _requeue(job, ScanJob.objects.all())]


def _stale(cutoff):
    """Running jobs whose worker has been silent since before ``cutoff``."""
    return ScanJob.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, started_at__lt=cutoff)
        | Q(heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff),
        state=ScanState.RUNNING,
    )


def recover_stale_scans(*, folder=None, now=None):
    """Re-queue running scans whose heartbeat is older than ``SCAN_STALE_AFTER``; returns them.

    Safe with any number of workers and serving processes doing the same at once: a live scan
    beats four times per stale period, so it is never taken; the re-queue is one conditional
    UPDATE (still RUNNING, same task, still stale), so of two processes recovering the same job
    one wins and the other changes nothing; and the dead run, should it wake up, is fenced off by
    the changed ``task_id`` (``Scanner._save``).
    """
    cutoff = (now or timezone.now()) - timedelta(seconds=stale_after())
    stale = _stale(cutoff)
    if folder is not None:
        stale = stale.filter(folder=folder)
    return [job for job in stale if _requeue(job, _stale(cutoff))]


def _requeue(job, still):
    """Move ``job`` back to QUEUED under a new task if it is still in ``still`` and still on its
    old task; its old task row (left RUNNING by the dead worker) is marked FAILED."""
    now = timezone.now()
    with transaction.atomic():
        taken = still.filter(pk=job.pk, state=ScanState.RUNNING, task_id=job.task_id).update(
            state=ScanState.QUEUED, total=None, seen=0, added=0, updated=0, unchanged=0, missing=0, failed=0,
            current_file="", heartbeat_at=None,
        )
        if not taken:
            return False
        result = background.enqueue("scan_folder", job.pk)
        ScanJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
        if job.task_id:
            DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(status="FAILED", finished_at=now)
        job.failures.all().delete()
    job.refresh_from_db()
    logger.warning("Re-queued interrupted scan %s of folder %s", job.pk, job.folder_id)
    return True
