from django.db import models
from django.utils import timezone


class MediaKind(models.TextChoices):
    MUSIC = "music"
    FILMS = "films"
    SHOWS = "shows"
    AUDIOBOOKS = "audiobooks"
    BOOKS = "books"
    MIXED = "mixed"


class LibraryRoot(models.Model):
    """A library folder (``/settings/folders``): files are served only from inside an enabled root.

    ``path`` is the validated, resolved real path, so containment checks compare like with like.
    """

    path = models.CharField(max_length=4096, unique=True)
    media_kind = models.CharField(max_length=16, choices=MediaKind.choices, default=MediaKind.MIXED)
    enabled = models.BooleanField(default=True)
    accessible = models.BooleanField(default=False)
    readable = models.BooleanField(default=False)
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = "library folder"

    def __str__(self):
        return self.path
