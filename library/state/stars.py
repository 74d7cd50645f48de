"""Starring and unstarring works, albums and artists."""

from library.models.state import Star
from library.state.items import checked_kind, existing_item


def star(profile, kind, item_id):
    """Star an item that exists; starring it again keeps the first star (and its time)."""
    kind, item_id = existing_item(kind, item_id)
    starred, _ = Star.objects.get_or_create(profile=profile, kind=kind, item_id=item_id)
    return starred


def unstar(profile, kind, item_id):
    """Remove a star, also of an item that no longer exists; True when there was one."""
    deleted, _ = Star.objects.filter(profile=profile, kind=checked_kind(kind), item_id=str(item_id)).delete()
    return deleted > 0
