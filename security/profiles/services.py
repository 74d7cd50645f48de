"""Writes about profiles. The Owner always stays an Administrator, and the engine never loses its
last Administrator, however many requests race.

The original engine read the number of Administrators and then wrote, so two concurrent demotions
could both see "one other Administrator left" and leave none. Here every change that could remove
an Administrator first locks all Administrator rows (``SELECT … FOR UPDATE`` on PostgreSQL; on
SQLite the IMMEDIATE transaction holds the write lock from its first statement), then counts, then
writes, inside one transaction: the second request waits for the first and counts again.
"""

from django.db import transaction

from engine.errors import Conflict
from security.audit import apply_changes, record
from security.profiles.models import AVATAR_COLORS, Profile
from security.roles import Role
from security.services import revoke_profile_keys


def _lock_administrators():
    return list(Profile.objects.select_for_update().filter(role=Role.ADMINISTRATOR).order_by("id").values_list("id", flat=True))


def _refuse_losing_administrator(profile, administrators, *, action):
    if profile.is_owner:
        raise Conflict(f"The Owner profile cannot be {action}; it always stays an Administrator.", "owner_protected")
    if profile.pk in administrators and len(administrators) <= 1:
        raise Conflict(f"The last Administrator cannot be {action}.", "last_administrator")


def create_profile(*, display_name, actor, role=Role.CONSUMER, avatar_color=None):
    with transaction.atomic():
        if avatar_color is None:
            avatar_color = AVATAR_COLORS[Profile.objects.count() % len(AVATAR_COLORS)]
        profile = Profile.objects.create(display_name=display_name, role=role, avatar_color=avatar_color)
        record("profile.created", actor, f"profile {profile.pk}: {display_name} ({role})")
    return profile


def update_profile(profile, *, actor, **changes):
    """Change ``display_name``, ``role`` and/or ``avatar_color``; 409 when it would demote the
    Owner or the last Administrator."""
    with transaction.atomic():
        demoting = "role" in changes and changes["role"] != Role.ADMINISTRATOR
        administrators = _lock_administrators() if demoting else []
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        if demoting and profile.role == Role.ADMINISTRATOR or demoting and profile.is_owner:
            _refuse_losing_administrator(profile, administrators, action="demoted")
        described = apply_changes(profile, changes)
        profile.save()
        record("profile.updated", actor, f"profile {profile.pk}: {described}")
    return profile


def delete_profile(profile, *, actor):
    """Delete a profile with its keys and its state (stars, playlists, …).

    Its active keys are revoked first, each audited and its hub connections closed, as any
    revocation; the key rows then go with the profile, the audit trail keeps their history.
    """
    with transaction.atomic():
        administrators = _lock_administrators()
        profile = Profile.objects.select_for_update().get(pk=profile.pk)
        _refuse_losing_administrator(profile, administrators, action="deleted")
        revoke_profile_keys(profile, actor=actor)
        record("profile.deleted", actor, f"profile {profile.pk}: {profile.display_name} ({profile.role})")
        profile.delete()
