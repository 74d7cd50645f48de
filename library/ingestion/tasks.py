"""The background task that runs a scan; queued on the ``default`` task backend."""

from django_tasks import task


@task(queue_name="default")
def scan_folder(job_id):
    """Run the queued :class:`ScanJob` ``job_id``; returns its final state."""
    from library.ingestion.services import run_job

    return run_job(job_id)
