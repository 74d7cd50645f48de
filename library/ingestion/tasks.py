"""The background task that runs a scan; ``services.queue_scan`` queues it on the ``scans`` queue,
which has workers of its own, so a scan never waits behind provider look-ups."""

from library import background
from library.ingestion import services


@background.task(queue_name="scans")
def scan_folder(job_id):
    """Run the queued :class:`ScanJob` ``job_id``; returns its final state."""
    return services.run_job(job_id)
