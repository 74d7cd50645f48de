"""Bookmarks: one position per profile and file, with a comment, for audiobooks and long mixes."""

from django.utils import timezone

from engine.errors import BadInput
from library.models.state import Bookmark

MAX_POSITION_MS = 2**53
MAX_COMMENT = 500


def save_bookmark(profile, asset, *, position_ms, comment=""):
    """Create or move the profile's bookmark in ``asset``."""
    if isinstance(position_ms, bool) or not isinstance(position_ms, int) or not 0 <= position_ms <= MAX_POSITION_MS:
        raise BadInput("The position is a whole number of milliseconds, 0 or more.", "invalid_position")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise BadInput(f"The comment is longer than {MAX_COMMENT} characters.", "invalid_comment")
    now = timezone.now()
    bookmark, _ = Bookmark.objects.update_or_create(
        profile=profile, asset=asset, defaults={"position_ms": position_ms, "comment": comment, "changed_at": now},
        create_defaults={"position_ms": position_ms, "comment": comment, "changed_at": now, "created_at": now},
    )
    return bookmark


def delete_bookmark(profile, asset):
    """True when there was a bookmark to delete."""
    deleted, _ = Bookmark.objects.filter(profile=profile, asset=asset).delete()
    return deleted > 0
