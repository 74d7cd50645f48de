from django.db import models
from django.utils import timezone


class Claim(models.Model):
    """One statement about one field of a work, from a file, a provider or a person.

    Append-only: resolution reads the history, it never edits it.
    """

    work = models.ForeignKey("library.Work", on_delete=models.CASCADE, related_name="claims")
    field = models.CharField(max_length=64)
    value = models.TextField()
    #: ``embedded`` (from the file), a provider name (``tmdb``, ``musicbrainz``) or ``user``.
    source = models.CharField(max_length=32)
    confidence = models.FloatField(default=1.0)
    locked = models.BooleanField(default=False)
    claimed_by = models.CharField(max_length=200, blank=True)
    #: For a ``user`` claim, the role of who made it: what non-Administrators see of them.
    claimer_role = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-claimed_at", "-id"]
        indexes = [models.Index(fields=["work", "field"])]

    def __str__(self):
        return f"{self.field}={self.value!r} ({self.source})"
