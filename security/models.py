from django.db import connections, models
from django.db.models import Q
from django.utils import timezone

from security.profiles.models import Profile  # noqa: F401  (defined beside its services; a model of this app)
from security.roles import Role


class ApiKeyQuerySet(models.QuerySet):
    def by_key_id(self, key_id):
        """The key with this public id, or None: the one query of every authenticated request.

        Raw SQL because the ORM spends three times longer compiling this lookup than SQLite
        spends answering it (measured when the lookup was written); the statement is fixed and
        parametrised. The caller checks :meth:`ApiKey.is_active`.
        """
        table = connections[self.db].ops.quote_name(self.model._meta.db_table)
        found = list(self.raw(f"SELECT * FROM {table} WHERE key_id = %s", [key_id]))
        return found[0] if found else None

    def active(self, now=None):
        """Keys that authenticate: not revoked and not past their expiry.

        The queryset form of :meth:`ApiKey.is_active`; code that accepts a key checks one or
        the other, so an expired key cannot slip through a lookup that forgot the expiry.
        """
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiKey(models.Model):
    """A guest key. The plaintext is never stored; ``digest`` is SHA-256 of it (see keys.py)."""

    label = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=Role.choices)
    key_id = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.CharField(max_length=200, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.label} ({self.prefix})"

    @property
    def prefix(self):
        from security.keys import PREFIX

        return f"{PREFIX}_{self.key_id}"

    def is_active(self, now=None):
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEntry(models.Model):
    """Who did what to which thing, when and from where. Written only by services."""

    action = models.CharField(max_length=64)
    actor = models.CharField(max_length=200)
    client_address = models.CharField(max_length=64, blank=True)
    target = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor} {self.action} {self.target}"


class ProviderSecret(models.Model):
    """A provider's API key, stored only as Fernet ciphertext (see ``security/secret_store.py``)."""

    name = models.CharField(max_length=32, unique=True)
    ciphertext = models.TextField(editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.CharField(max_length=200, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"secret for {self.name}"
