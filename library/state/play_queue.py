"""The play queue: what a profile is listening to, saved by one device, picked up by another."""

from django.db import transaction
from django.utils import timezone

from engine.errors import BadInput
from library import events
from library.models.state import PlayQueue, PlayQueueEntry
from library.state.items import existing_work_ids

MAX_ENTRIES = 10_000
MAX_CLIENT_NAME = 100


def save_play_queue(profile, *, work_ids, current_index=None, position_ms=0, changed_by=""):
    """Replace the profile's queue; an empty list clears it (Subsonic's ``savePlayQueue``).

    ``current_index`` is the index in ``work_ids`` of the entry playing (None: none);
    ``position_ms`` how far into it; ``changed_by`` the client's name. The profile's other
    connections hear ``PlayQueueChanged``.
    """
    work_ids = existing_work_ids(work_ids, limit=MAX_ENTRIES)
    if not work_ids:
        clear_play_queue(profile, changed_by=changed_by)
        return None
    if current_index is not None and (isinstance(current_index, bool) or not isinstance(current_index, int) or not 0 <= current_index < len(work_ids)):
        raise BadInput("The current entry must be an index into the entries.", "invalid_current")
    if isinstance(position_ms, bool) or not isinstance(position_ms, int) or position_ms < 0:
        raise BadInput("The position is a whole number of milliseconds, 0 or more.", "invalid_position")
    with transaction.atomic():
        queue, _ = PlayQueue.objects.update_or_create(
            profile=profile,
            defaults={
                "current_position": current_index, "position_ms": position_ms,
                "changed_at": timezone.now(), "changed_by": (changed_by or "")[:MAX_CLIENT_NAME],
            },
        )
        queue.entries.all().delete()
        PlayQueueEntry.objects.bulk_create(
            PlayQueueEntry(queue=queue, position=position, work_id=work_id) for position, work_id in enumerate(work_ids)
        )
        events.play_queue_changed(profile.pk, queue, len(work_ids))
    return queue


def clear_play_queue(profile, *, changed_by=""):
    """Forget the profile's queue; True when there was one."""
    with transaction.atomic():
        deleted, _ = PlayQueue.objects.filter(profile=profile).delete()
        if deleted:
            events.play_queue_changed(profile.pk, None, 0, changed_by=(changed_by or "")[:MAX_CLIENT_NAME])
    return deleted > 0
