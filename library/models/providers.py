from django.db import models


class ProviderName(models.TextChoices):
    TMDB = "tmdb", "TMDB"
    MUSICBRAINZ = "musicbrainz", "MusicBrainz"


class ProviderQuerySet(models.QuerySet):
    def ensure_all(self):
        """Every known provider, its row made on first use with the defaults (no data migration)."""
        for name in ProviderName.values:
            self.get_or_create(name=name)
        return self.filter(name__in=ProviderName.values).order_by("name")


class Provider(models.Model):
    """A metadata provider's settings and last known health (``/settings/providers``).

    ``weight`` multiplies the confidence of the provider's claims in resolution; the provider's
    API key is not here but in the encrypted secret store.
    """

    name = models.CharField(max_length=32, choices=ProviderName.choices, unique=True)
    enabled = models.BooleanField(default=True)
    weight = models.FloatField(default=1.0)
    reachable = models.BooleanField(null=True, blank=True)
    last_checked = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    objects = ProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.get_name_display()
