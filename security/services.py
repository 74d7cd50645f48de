"""Writes about API keys. Every entry point (REST, Django admin, manage.py) calls these."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from security import keys
from security.audit import record
from security.models import ApiKey
from security.signals import keys_revoked


def _announce_revocation(key_ids):
    if key_ids:
        transaction.on_commit(lambda: keys_revoked.send(sender=ApiKey, key_ids=list(key_ids)))


def create_key(*, label, role, actor, expires_at=None):
    """Create a key and return ``(api_key, plaintext)``; the plaintext is never stored."""
    for _attempt in range(5):
        generated = keys.generate()
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    label=label,
                    role=role,
                    key_id=generated.key_id,
                    digest=keys.digest(generated.plaintext),
                    created_by=actor.name[:200],
                    expires_at=expires_at,
                )
                record("api_key.created", actor, f"{api_key.prefix} ({label}, {role})")
        except IntegrityError:  # a 48-bit key id collided; draw again
            continue
        return api_key, generated.plaintext
    raise RuntimeError("could not allocate a unique key id")


@transaction.atomic
def revoke_key(api_key, *, actor):
    """Revoke one key. Revocation is final; revoking a revoked key changes nothing."""
    now = timezone.now()
    changed = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    api_key.refresh_from_db(fields=["revoked_at"])
    if changed:
        record("api_key.revoked", actor, f"{api_key.prefix} ({api_key.label})")
        _announce_revocation([api_key.key_id])
    return bool(changed)


@transaction.atomic
def revoke_all(*, actor):
    """Revoke every active key; returns how many were revoked."""
    active = list(ApiKey.objects.select_for_update().filter(revoked_at__isnull=True))
    ApiKey.objects.filter(pk__in=[key.pk for key in active]).update(revoked_at=timezone.now())
    for api_key in active:
        record("api_key.revoked", actor, f"{api_key.prefix} ({api_key.label})")
    _announce_revocation([key.key_id for key in active])
    return len(active)
