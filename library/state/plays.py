"""Scrobbles: how often a profile played a work, and when last."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from engine.errors import BadInput
from library.models.state import Play

#: A player's clock may run a little ahead; a play further in the future is a bad timestamp.
CLOCK_SKEW = timedelta(days=1)


def scrobble(profile, work, played_at=None):
    """Count one play of ``work``; ``played_at`` (default now) may be in the past, as players that
    were offline submit later, and then never moves ``last_played_at`` back."""
    now = timezone.now()
    played_at = played_at or now
    if played_at > now + CLOCK_SKEW:
        raise BadInput("The play is in the future.", "invalid_played_at")
    with transaction.atomic():
        play, created = Play.objects.select_for_update().get_or_create(
            profile=profile, work=work, defaults={"play_count": 1, "last_played_at": played_at}
        )
        if not created:
            play.play_count += 1
            play.last_played_at = max(play.last_played_at, played_at)
            play.save(update_fields=["play_count", "last_played_at"])
    return play
