"""The background task that runs a scan; ``services.queue_scan`` queues it on the ``default`` queue."""

from library import background
from library.ingestion import services


@background.task(queue_name="default")
def scan_folder(job_id):
    """Run the queued :class:`ScanJob` ``job_id``; returns its final state."""
    return services.run_job(job_id)
