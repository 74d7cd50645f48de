"""Playlists: owned by a profile, ordered, optionally public (readable by every profile).

Only the owner changes or deletes a playlist; ``library.state.selectors`` finds the playlist a
profile may read or write. Every change is announced as ``PlaylistChanged``: to the owner's
connections, or to everyone when the playlist is (or was) public, since everyone may read it.
"""

from django.db import transaction
from django.utils import timezone

from engine.errors import BadInput, Conflict
from library import events
from library.models.state import Playlist, PlaylistEntry
from library.state.items import existing_work_ids

MAX_ENTRIES = 10_000
MAX_PLAYLISTS_PER_PROFILE = 1_000
MAX_NAME = 200
MAX_COMMENT = 1000


def _name(name):
    name = " ".join(str(name or "").split())
    if not name or len(name) > MAX_NAME:
        raise BadInput(f"A playlist's name is 1 to {MAX_NAME} characters.", "invalid_name")
    return name


def _comment(comment):
    comment = str(comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise BadInput(f"A playlist's comment is at most {MAX_COMMENT} characters.", "invalid_comment")
    return comment


def _write_entries(playlist, work_ids):
    playlist.entries.all().delete()
    PlaylistEntry.objects.bulk_create(
        PlaylistEntry(playlist=playlist, position=position, work_id=work_id) for position, work_id in enumerate(work_ids)
    )


def create_playlist(owner, *, name, comment="", public=False, work_ids=()):
    name, comment, work_ids = _name(name), _comment(comment), existing_work_ids(work_ids, limit=MAX_ENTRIES)
    with transaction.atomic():
        if Playlist.objects.filter(owner=owner).count() >= MAX_PLAYLISTS_PER_PROFILE:
            raise Conflict(f"A profile has at most {MAX_PLAYLISTS_PER_PROFILE} playlists.", "too_many_playlists")
        playlist = Playlist.objects.create(owner=owner, name=name, comment=comment, public=bool(public))
        _write_entries(playlist, work_ids)
        events.playlist_changed(playlist, "created")
    return playlist


def update_playlist(playlist, *, name=None, comment=None, public=None, work_ids=None, add=(), remove_indexes=()):
    """Change what is given: name, comment, public, the whole entry list (``work_ids``), or, as
    Subsonic's ``updatePlaylist``, indexes to remove (of the current order) then works to append.

    The caller has checked ownership (``selectors.playlist_writable_by``); everything is checked
    before anything is written.
    """
    changes = {}
    if name is not None:
        changes["name"] = _name(name)
    if comment is not None:
        changes["comment"] = _comment(comment)
    if public is not None:
        changes["public"] = bool(public)
    with transaction.atomic():
        playlist = Playlist.objects.select_for_update().get(pk=playlist.pk)
        was_public = playlist.public
        entries = None
        if work_ids is not None or add or remove_indexes:
            current = list(playlist.entries.order_by("position").values_list("work_id", flat=True))
            entries = current if work_ids is None else list(work_ids)
            removing = set(remove_indexes)
            if any(isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(entries) for index in removing):
                raise BadInput("An index to remove is not in the playlist.", "invalid_index")
            entries = [work_id for index, work_id in enumerate(entries) if index not in removing] + list(add)
            entries = existing_work_ids(entries, limit=MAX_ENTRIES)
        for field, value in changes.items():
            setattr(playlist, field, value)
        playlist.changed_at = timezone.now()
        playlist.save()
        if entries is not None:
            _write_entries(playlist, entries)
        events.playlist_changed(playlist, "updated", was_public=was_public)
    return playlist


def delete_playlist(playlist):
    with transaction.atomic():
        events.playlist_changed(playlist, "deleted")
        playlist.delete()
