"""Rating works, albums and artists from 1 to 5; 0 removes the rating (as Subsonic's setRating)."""

from django.utils import timezone

from engine.errors import BadInput
from library.models.state import Rating
from library.state.items import checked_kind, existing_item


def rate(profile, kind, item_id, rating):
    """The profile's rating of an item, or None when ``rating`` is 0 (removed)."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 0 <= rating <= 5:
        raise BadInput("A rating is a whole number from 1 to 5, or 0 to remove it.", "invalid_rating")
    if rating == 0:
        Rating.objects.filter(profile=profile, kind=checked_kind(kind), item_id=str(item_id)).delete()
        return None
    kind, item_id = existing_item(kind, item_id)
    rated, _ = Rating.objects.update_or_create(
        profile=profile, kind=kind, item_id=item_id, defaults={"rating": rating, "rated_at": timezone.now()}
    )
    return rated
