from django.db import models
from django.utils import timezone


class ScanState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ScanJob(models.Model):
    """One scan of one library root, with the progress clients poll or receive over the hub."""

    folder = models.ForeignKey("library.LibraryRoot", on_delete=models.CASCADE, related_name="scan_jobs")
    state = models.CharField(max_length=16, choices=ScanState.choices, default=ScanState.QUEUED)
    seen = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    current_file = models.TextField(blank=True)
    error = models.TextField(blank=True)
    #: The django-tasks result id of the task that runs this scan (empty for ``manage.py scan``).
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Written every few seconds while the scan runs; a RUNNING job whose heartbeat has gone
    #: stale lost its worker and is re-queued (``library.ingestion.services.recover_stale_scans``).
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One queued or running scan per folder, held by the database itself so two
            # concurrent POST /ingestion/scan cannot both pass a read-then-insert check.
            models.UniqueConstraint(
                fields=["folder"],
                condition=models.Q(state__in=["queued", "running"]),
                name="one_active_scan_per_folder",
            ),
        ]

    @property
    def active(self):
        return self.state in (ScanState.QUEUED, ScanState.RUNNING)

    def __str__(self):
        return f"scan {self.pk} of {self.folder_id} ({self.state})"


class ScanFailure(models.Model):
    """A file a scan could not take in, and why; the scan itself went on."""

    job = models.ForeignKey(ScanJob, on_delete=models.CASCADE, related_name="failures")
    relative_path = models.TextField()
    reason = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
