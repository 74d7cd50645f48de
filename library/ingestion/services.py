"""Starting, running and recovering scans; every entry point (API, command, worker) calls these."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from library.errors import Conflict
from library.ingestion.scanner import Scanner
from library.models import LibraryRoot, ScanJob, ScanState

logger = logging.getLogger(__name__)
ACTIVE = (ScanState.QUEUED, ScanState.RUNNING)


def _new_job(folder):
    """A queued job for ``folder``, or :class:`Conflict` when one is already queued or running.

    The folder row is locked first (PostgreSQL) and SQLite's IMMEDIATE transactions serialise
    writers; the partial unique constraint ``one_active_scan_per_folder`` is the last word.
    """
    LibraryRoot.objects.select_for_update().filter(pk=folder.pk).first()
    if not folder.enabled:
        raise Conflict("This folder is disabled; enable it before scanning.", "folder_disabled")
    active = ScanJob.objects.filter(folder=folder, state__in=ACTIVE).first()
    if active is not None:
        raise Conflict(f"A scan of this folder is already {active.state} (job {active.pk}).", "scan_in_progress")
    try:
        with transaction.atomic():
            return ScanJob.objects.create(folder=folder)
    except IntegrityError:
        raise Conflict("A scan of this folder is already queued or running.", "scan_in_progress") from None


def queue_scan(folder):
    """Queue a background scan of ``folder``; the job and its task row commit together."""
    from library.ingestion.tasks import scan_folder

    with transaction.atomic():
        job = _new_job(folder)
        result = scan_folder.enqueue(job.pk)
        job.task_id = str(result.id)
        job.save(update_fields=["task_id"])
    return job


def queue_all():
    """Queue a scan of every enabled folder that has none queued or running."""
    jobs = []
    for folder in LibraryRoot.objects.filter(enabled=True):
        try:
            jobs.append(queue_scan(folder))
        except Conflict:
            continue
    return jobs


def start_foreground_scan(folder):
    """A job for ``manage.py scan``, which runs it itself rather than through the task queue."""
    with transaction.atomic():
        return _new_job(folder)


def run_job(job_id, *, on_progress=None):
    """Run a queued job to its end. A job that is no longer queued (already run, or recovered
    and re-queued under a new task) is left alone."""
    with transaction.atomic():
        job = ScanJob.objects.select_for_update().select_related("folder").filter(pk=job_id).first()
        if job is None or job.state != ScanState.QUEUED:
            return job.state if job else "missing"
        job.state = ScanState.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["state", "started_at"])
    return Scanner(job, on_progress=on_progress).run().state


def recover_interrupted_scans():
    """Put scans left RUNNING by a process that died back in the queue, under a fresh task.

    Call only where no other worker can be running them: at start-up of the in-process worker,
    which is then the only worker of this engine.
    """
    from django_tasks_db.models import DBTaskResult

    from library.ingestion.tasks import scan_folder

    recovered = []
    for job in ScanJob.objects.filter(state=ScanState.RUNNING):
        with transaction.atomic():
            if job.task_id:
                DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(status="FAILED", finished_at=timezone.now())
            job.state = ScanState.QUEUED
            job.error = "Re-queued after the process running it stopped."
            for count in ("seen", "added", "updated", "unchanged", "missing", "failed"):
                setattr(job, count, 0)
            job.current_file = ""
            job.started_at = None
            result = scan_folder.enqueue(job.pk)
            job.task_id = str(result.id)
            job.save()
        job.failures.all().delete()
        logger.warning("Re-queued interrupted scan %s of folder %s", job.pk, job.folder_id)
        recovered.append(job)
    return recovered
