from django.db import connections, models
from django.db.models import Q
from django.db.models.sql import Query
from django.utils import timezone

from security.profiles.models import Profile  # defined beside its services; a model of this app
from security.roles import Role


class ApiKeyQuerySet(models.QuerySet):
    def by_key_id(self, key_id):
        """The key with this public id and its profile (``key.profile``), or None: the one query
        of every authenticated request.

        Raw SQL because the ORM spends three times longer compiling this lookup than SQLite
        spends answering it (measured when the lookup was written); the statement is fixed and
        parametrised, and joins the profile so that knowing whose key it is costs no second query.
        Values go through the database's converters as the ORM's would. The caller checks
        :meth:`ApiKey.is_active`.
        """
        connection = connections[self.db]
        with connection.cursor() as cursor:
            cursor.execute(_key_with_profile_sql(connection), [key_id])
            row = cursor.fetchone()
        if row is None:
            return None
        key_fields, profile_fields = ApiKey._meta.concrete_fields, Profile._meta.concrete_fields
        compiler = connection.ops.compiler("SQLCompiler")(Query(ApiKey), connection, self.db)
        converters = compiler.get_converters([field.get_col(field.model._meta.db_table) for field in (*key_fields, *profile_fields)])
        (values,) = compiler.apply_converters([list(row)], converters) if converters else [row]
        key = ApiKey.from_db(self.db, [field.attname for field in key_fields], values[: len(key_fields)])
        key.profile = Profile.from_db(self.db, [field.attname for field in profile_fields], values[len(key_fields) :])
        return key

    def active(self, now=None):
        """Keys that authenticate: not revoked and not past their expiry.

        The queryset form of :meth:`ApiKey.is_active`; code that accepts a key checks one or
        the other, so an expired key cannot slip through a lookup that forgot the expiry.
        """
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


_KEY_WITH_PROFILE_SQL = {}


def _key_with_profile_sql(connection):
    """``SELECT`` every column of the key and of its profile, by the key's public id; built once
    per database vendor."""
    sql = _KEY_WITH_PROFILE_SQL.get(connection.vendor)
    if sql is None:
        sql = _KEY_WITH_PROFILE_SQL[connection.vendor] = _build_key_with_profile_sql(connection.ops.quote_name)
    return sql


def _build_key_with_profile_sql(quote):
    columns = [f"k.{quote(field.column)}" for field in ApiKey._meta.concrete_fields]
    columns += [f"p.{quote(field.column)}" for field in Profile._meta.concrete_fields]
    return (
        f"SELECT {', '.join(columns)} FROM {quote(ApiKey._meta.db_table)} k "
        f"INNER JOIN {quote(Profile._meta.db_table)} p ON p.{quote('id')} = k.{quote('profile_id')} "
        f"WHERE k.{quote('key_id')} = %s"
    )


class ApiKey(models.Model):
    """A guest key. The plaintext is never stored; ``digest`` is SHA-256 of it (see keys.py).

    Every key belongs to a profile (the person it was made for); the key's own role, not the
    profile's, decides what it may do, so a Consumer key of the Owner is a Consumer.
    """

    label = models.CharField(max_length=100)
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="api_keys")
    role = models.CharField(max_length=16, choices=Role.choices)
    key_id = models.CharField(max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    #: SHA-256 of KOReader's progress-sync credential for this key (``keys.sync_userkey``), set
    #: when the key is made: the one thing the engine keeps that a sync request can be matched
    #: to, since KOReader sends only an MD5 of the password. Blank for keys made before.
    sync_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
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
