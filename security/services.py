"""Writes about API keys. Every entry point (REST, Django admin, manage.py) calls these."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from security import keys
from security.audit import record
from security.models import ApiKey
from security.profiles.models import Profile
from security.signals import keys_revoked


def _announce_revocation(key_ids):
    if key_ids:
        transaction.on_commit(lambda: keys_revoked.send(sender=ApiKey, key_ids=list(key_ids)))


def create_key(*, label, role, actor, expires_at=None, profile=None):
    """Create a key for ``profile`` (the Owner when None) and return ``(api_key, plaintext)``;
    the plaintext is never stored. The key's ``role`` is its own: a profile may hold keys of
    any role, and the key's role alone decides what a request made with it may do."""
    profile = profile or Profile.objects.owner()
    for _attempt in range(5):
        generated = keys.generate()
        try:
            with transaction.atomic():
                api_key = ApiKey.objects.create(
                    label=label,
                    role=role,
                    profile=profile,
                    key_id=generated.key_id,
                    digest=keys.digest(generated.plaintext),
                    sync_digest=keys.digest(keys.sync_userkey(generated.plaintext)),
                    created_by=actor.name[:200],
                    expires_at=expires_at,
                )
                record("api_key.created", actor, f"{api_key.prefix} ({label}, {role}) for {describe_profile(profile)}")
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


def revoke_all(*, actor):
    """Revoke every active key; returns how many were revoked."""
    return _revoke_every(ApiKey.objects.all(), actor=actor)


def revoke_profile_keys(profile, *, actor):
    """Revoke every active key of ``profile`` (a lost phone, a person leaving); returns how many."""
    return _revoke_every(ApiKey.objects.filter(profile=profile), actor=actor)


@transaction.atomic
def _revoke_every(candidates, *, actor):
    """Each revocation audited like a single one, and the keys' hub connections closed."""
    active = list(candidates.select_for_update().filter(revoked_at__isnull=True))
    ApiKey.objects.filter(pk__in=[key.pk for key in active]).update(revoked_at=timezone.now())
    for api_key in active:
        record("api_key.revoked", actor, f"{api_key.prefix} ({api_key.label})")
    _announce_revocation([key.key_id for key in active])
    return len(active)


def describe_profile(profile):
    return f"profile {profile.pk} ({profile.display_name})"
