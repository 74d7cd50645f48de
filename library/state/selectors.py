"""Reads of per-profile state, for the profile asking; what another profile keeps stays unseen.

Stars and ratings may outlive their item (a work removed, an album renamed); the lists here
leave those out rather than name what the library no longer holds.
"""

from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast

from engine.errors import Forbidden, NotFound
from library.models import Work
from library.models.state import Bookmark, ItemKind, Play, PlayQueue, Playlist, Rating, ReadingProgress, Star

_DERIVED_COLUMNS = {ItemKind.ALBUM: "album_key", ItemKind.ARTIST: "artist_key"}


def _present(queryset, kind=None):
    """Rows of ``queryset`` (stars or ratings) whose item the library still holds: one semi-join
    per kind against the works, never a query per row."""
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    work_ids = Work.objects.annotate(text_id=Cast("pk", output_field=CharField())).values("text_id")
    still_there = Q(kind=ItemKind.WORK, item_id__in=work_ids)
    for derived, column in _DERIVED_COLUMNS.items():
        still_there |= Q(kind=derived, item_id__in=Work.objects.values(column))
    return queryset.filter(still_there)


def stars_of(profile, kind=None):
    return _present(Star.objects.filter(profile=profile), kind)


def ratings_of(profile, kind=None):
    return _present(Rating.objects.filter(profile=profile), kind)


def plays_of(profile):
    return Play.objects.filter(profile=profile)


def bookmarks_of(profile):
    return Bookmark.objects.filter(profile=profile).select_related("asset")


def play_queue_of(profile):
    """The profile's queue with ``entry_work_ids`` (in order) and ``current_index`` set, or None."""
    queue = PlayQueue.objects.filter(profile=profile).first()
    if queue is None:
        return None
    entries = list(queue.entries.order_by("position").values_list("position", "work_id"))
    queue.entry_work_ids = [work_id for _, work_id in entries]
    positions = [position for position, _ in entries]
    queue.current_index = positions.index(queue.current_position) if queue.current_position in positions else None
    return queue


def playlists_visible_to(profile):
    """The profile's own playlists and every public one, with ``entry_count``."""
    return (
        Playlist.objects.filter(Q(owner=profile) | Q(public=True))
        .select_related("owner")
        .annotate(entry_count=Count("entries"))
        .order_by("name", "id")
    )


def playlist_entries(playlist):
    return list(playlist.entries.order_by("position").values_list("work_id", flat=True))


def playlist_readable_by(profile, playlist_id):
    """The playlist when ``profile`` owns it or it is public; :class:`NotFound` otherwise, so a
    private playlist's existence is not given away."""
    playlist = playlists_visible_to(profile).filter(pk=playlist_id).first()
    if playlist is None:
        raise NotFound(f"No playlist with id {playlist_id}.", "playlist_not_found")
    return playlist


def playlist_writable_by(profile, playlist_id):
    """The playlist when ``profile`` owns it; :class:`Forbidden` for another's public playlist."""
    playlist = playlist_readable_by(profile, playlist_id)
    if playlist.owner_id != profile.pk:
        raise Forbidden("Only the playlist's owner may change it.", "not_playlist_owner")
    return playlist


def progress_of(profile, work_id):
    """The profile's reading progress in the work, or None."""
    return ReadingProgress.objects.filter(profile=profile, work_id=work_id).first()


def progress_of_document(profile, document):
    """The profile's latest progress in the works whose file KOReader names ``document``, or None
    (also for a document the library does not hold: a reader asks before it ever wrote)."""
    return (
        ReadingProgress.objects.filter(profile=profile, work__assets__koreader_digest=document)
        .order_by("-changed_at", "-id")
        .first()
    )
