from django.db import models
from django.utils import timezone


class ScanState(models.TextChoices):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class ScanTrigger(models.TextChoices):
    #: Asked for: ``POST /ingestion/scan``, ``manage.py scan``.
    MANUAL = "manual"
    #: Files under the folder changed (``library.ingestion.watching``); the job names them.
    WATCH = "watch"
    #: The periodic full rescan (``MEDIA_ENGINE_SCAN_INTERVAL``).
    SCHEDULE = "schedule"


class ScanJob(models.Model):
    """One scan of one library root, with the progress clients poll or receive over the hub.

    ``seen`` is always ``added + updated + unchanged + failed``; ``total`` is what the walk
    counted before the scan began (None while it counts) and becomes ``seen`` when the scan
    completes, so a progress bar drawn from the two ends at 100 %.
    """

    folder = models.ForeignKey("library.LibraryRoot", on_delete=models.CASCADE, related_name="scan_jobs")
    state = models.CharField(max_length=16, choices=ScanState.choices, default=ScanState.QUEUED)
    trigger = models.CharField(max_length=16, choices=ScanTrigger.choices, default=ScanTrigger.MANUAL)
    #: The raw relative paths (NUL-separated bytes) an incremental scan is limited to; None for
    #: a scan of the whole folder.
    paths = models.BinaryField(null=True, blank=True, editable=False)
    total = models.PositiveIntegerField(null=True, blank=True)
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
    #: When the job first started running; a job re-queued after its worker died keeps it.
    started_at = models.DateTimeField(null=True, blank=True)
    #: How many times the job started running (more than 1: re-queued after a worker died).
    attempts = models.PositiveIntegerField(default=0)
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

    @property
    def scope(self):
        """The raw relative paths this scan is limited to, or None for the whole folder."""
        return None if self.paths is None else bytes(self.paths).split(b"\0")

    @property
    def percent(self):
        """How far the scan is, 0-100; None while the walk is still counting. Only a completed
        scan reads 100."""
        if self.state == ScanState.COMPLETED:
            return 100
        if self.total is None:
            return None
        if self.total == 0:
            return 0
        return min(99, self.seen * 100 // self.total)

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
