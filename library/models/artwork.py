from django.db import models
from django.utils import timezone


class Artwork(models.Model):
    """A verified picture, stored once per content hash (``library.artwork.store`` keeps the file
    under the data directory); every asset showing it points here."""

    content_hash = models.CharField(max_length=64, unique=True)
    mime_type = models.CharField(max_length=32)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.content_hash[:12]} ({self.width}×{self.height} {self.mime_type})"
