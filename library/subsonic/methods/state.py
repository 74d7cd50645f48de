"""A profile's own state: stars, ratings, scrobbles, bookmarks, the play queue and playlists.

Every write goes through the services of ``library.state`` (the same the engine's REST routes
call), so the checks, the limits and the hub events (``PlaylistChanged``, ``PlayQueueChanged``,
heard by the profile's other devices) happen once. Two keys of one profile see the same state;
another profile's stays unseen.
"""

from datetime import datetime, timezone as dt_timezone

from django.db.models import Sum

from library.models import Asset
from library.models.state import ItemKind, PlaylistEntry
from library.state import bookmarks, play_queue, playlists, plays, ratings, selectors, stars
from library.subsonic import catalog, entities
from library.subsonic.errors import GENERIC, SubsonicError, missing, not_found
from library.subsonic.methods.browsing import folder_of
from library.subsonic.registry import method
from library.subsonic.state import profile_name, state_for

MAX_TIME_MS = 2**53


def _kind_of(item_id):
    """The kind of item a Subsonic id names: an album, an artist, else a song (a work)."""
    if item_id.startswith(catalog.ALBUM_PREFIX):
        return ItemKind.ALBUM
    if item_id.startswith(catalog.ARTIST_PREFIX):
        return ItemKind.ARTIST
    return ItemKind.WORK


def _starred_items(call):
    """``(kind, id)`` for every ``id``, ``albumId`` and ``artistId``; 10 when there are none."""
    params = call.params
    items = [(_kind_of(text), text) for text in params.texts("id")]
    items += [(ItemKind.ALBUM, text) for text in params.texts("albumId")]
    items += [(ItemKind.ARTIST, text) for text in params.texts("artistId")]
    if not items:
        raise missing("id, albumId or artistId")
    return items


@method("star")
def star(call):
    profile = call.principal.profile
    for kind, item_id in _starred_items(call):
        stars.star(profile, kind, item_id)
    return {}


@method("unstar")
def unstar(call):
    profile = call.principal.profile
    for kind, item_id in _starred_items(call):
        stars.unstar(profile, kind, item_id)
    return {}


@method("setRating")
def set_rating(call):
    item_id = call.params.text("id", required=True)
    rating = call.params.integer("rating", required=True, minimum=0, maximum=5)
    ratings.rate(call.principal.profile, _kind_of(item_id), item_id, rating)
    return {}


def _work(text):
    """The song ``text`` names, as the work its play is counted on."""
    work_id = catalog.parse_song_id(text)
    work = catalog.songs().filter(pk=work_id).first() if work_id is not None else None
    if work is None:
        raise not_found("No such song.")
    return work


@method("scrobble")
def scrobble(call):
    """Counts a play per ``id`` (``submission=false``, "now playing", counts nothing)."""
    ids = call.params.texts("id")
    if not ids:
        raise missing("id")
    times = call.params.integers("time", maximum=MAX_TIME_MS)
    if times and len(times) != len(ids):
        raise SubsonicError(GENERIC, "Send one time per id, or none.")
    works = [_work(text) for text in ids]
    if not call.params.boolean("submission", True):
        return {}
    for index, work in enumerate(works):
        played_at = datetime.fromtimestamp(times[index] / 1000, tz=dt_timezone.utc) if times else None
        plays.scrobble(call.principal.profile, work, played_at)
    return {}


@method("getStarred2")
def get_starred2(call):
    profile = call.principal.profile
    found = catalog.current(folder_of(call))
    starred = list(selectors.stars_of(profile).order_by("-starred_at", "-id").values_list("kind", "item_id"))
    artists = [found.artists_by_id[item] for kind, item in starred if kind == ItemKind.ARTIST and item in found.artists_by_id]
    albums = [found.albums_by_id[item] for kind, item in starred if kind == ItemKind.ALBUM and item in found.albums_by_id]
    works = _in_order([int(item) for kind, item in starred if kind == ItemKind.WORK])
    state = state_for(call, artists=artists, albums=albums, works=works)
    return {"starred2": {
        "artist": [entities.artist(artist, state) for artist in artists],
        "album": [entities.album(album, state) for album in albums],
        "song": [entities.song(work, state) for work in works],
    }}


# Bookmarks: a position in a song's file


def _asset_of(text):
    work_id = catalog.parse_song_id(text)
    asset = Asset.objects.filter(work_id=work_id, work__kind__in=catalog.SONG_KINDS).order_by("id").first() if work_id else None
    if asset is None:
        raise not_found("No such song.")
    return asset


@method("getBookmarks")
def get_bookmarks(call):
    profile = call.principal.profile
    found = list(selectors.bookmarks_of(profile).order_by("-changed_at", "-id"))
    by_work = {work.pk: work for work in catalog.listed(catalog.songs().filter(pk__in=[mark.asset.work_id for mark in found]))}
    state = state_for(call, works=list(by_work.values()))
    name = profile_name(call.principal)
    return {"bookmarks": {"bookmark": [
        {
            "position": mark.position_ms, "username": name, "comment": mark.comment or None,
            "created": mark.created_at, "changed": mark.changed_at,
            "entry": entities.song(by_work[mark.asset.work_id], state),
        }
        for mark in found if mark.asset.work_id in by_work
    ]}}


@method("createBookmark")
def create_bookmark(call):
    asset = _asset_of(call.params.text("id", required=True))
    position = call.params.integer("position", required=True, minimum=0, maximum=bookmarks.MAX_POSITION_MS)
    bookmarks.save_bookmark(call.principal.profile, asset, position_ms=position, comment=call.params.text("comment", ""))
    return {}


@method("deleteBookmark")
def delete_bookmark(call):
    if not bookmarks.delete_bookmark(call.principal.profile, _asset_of(call.params.text("id", required=True))):
        raise not_found("No bookmark in that song.")
    return {}


# The play queue: saved by one device, picked up by another


@method("getPlayQueue")
def get_play_queue(call):
    profile = call.principal.profile
    queue = selectors.play_queue_of(profile)
    if queue is None:
        # The answer always holds a playQueue (clients read it unconditionally): an empty one,
        # unchanged since the profile was made.
        return {"playQueue": {"username": profile.display_name, "changed": profile.created_at, "changedBy": ""}}
    works = _in_order(queue.entry_work_ids)
    state = state_for(call, works=works)
    current = queue.entry_work_ids[queue.current_index] if queue.current_index is not None else None
    return {"playQueue": {
        "current": str(current) if current is not None else None,
        "position": queue.position_ms,
        "username": profile_name(call.principal),
        "changed": queue.changed_at,
        "changedBy": queue.changed_by,
        "entry": [entities.song(work, state) for work in works],
    }}


@method("savePlayQueue")
def save_play_queue(call):
    ids = call.params.texts("id")
    work_ids = [catalog.parse_song_id(text) for text in ids]
    if None in work_ids:
        raise not_found("No such song.")
    current = call.params.text("current")
    current_index = None
    if current:
        current_id = catalog.parse_song_id(current)
        if current_id not in work_ids:
            raise SubsonicError(GENERIC, "current must be one of the ids in the queue.")
        current_index = work_ids.index(current_id)
    elif work_ids:
        raise missing("current")
    position = call.params.integer("position", 0, minimum=0, maximum=MAX_TIME_MS)
    play_queue.save_play_queue(
        call.principal.profile, work_ids=work_ids, current_index=current_index, position_ms=position,
        changed_by=call.params.text("c", ""),
    )
    return {}


# Playlists: the profile's own, and public ones to read


def _playlist_id(call, name="playlistId"):
    text = call.params.text(name, required=True)
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise not_found("No such playlist.")
    return int(text)


def _playlist_entry(call, playlist, durations):
    return {
        "id": str(playlist.pk),
        "name": playlist.name,
        "comment": playlist.comment or None,
        "owner": playlist.owner.display_name,
        "public": playlist.public,
        "songCount": playlist.entry_count,
        "duration": int(round(durations.get(playlist.pk, 0.0))),
        "created": playlist.created_at,
        "changed": playlist.changed_at,
        "readonly": playlist.owner_id != call.principal.profile.pk,
    }


def _durations(playlist_ids):
    """Each playlist's total duration, from its songs' first assets, in one query."""
    rows = (
        PlaylistEntry.objects.filter(playlist_id__in=playlist_ids).order_by()
        .values("playlist_id").annotate(total=Sum("work__assets__duration")).values_list("playlist_id", "total")
    )
    return {playlist_id: total or 0.0 for playlist_id, total in rows}


@method("getPlaylists")
def get_playlists(call):
    profile = call.principal.profile
    found = list(selectors.playlists_visible_to(profile))
    durations = _durations([playlist.pk for playlist in found])
    return {"playlists": {"playlist": [_playlist_entry(call, playlist, durations) for playlist in found]}}


def _in_order(work_ids):
    """The songs of ``work_ids`` in that order (a work may be listed twice)."""
    by_id = {work.pk: work for work in catalog.listed(catalog.songs().filter(pk__in=work_ids))}
    return [by_id[work_id] for work_id in work_ids if work_id in by_id]


def _with_songs(call, playlist_id):
    playlist = selectors.playlist_readable_by(call.principal.profile, playlist_id)
    works = _in_order(selectors.playlist_entries(playlist))
    state = state_for(call, works=works)
    entry = _playlist_entry(call, playlist, _durations([playlist.pk]))
    return {"playlist": {**entry, "entry": [entities.song(work, state) for work in works]}}


@method("getPlaylist")
def get_playlist(call):
    return _with_songs(call, _playlist_id(call, "id"))


def _song_ids(call, name):
    work_ids = [catalog.parse_song_id(text) for text in call.params.texts(name)]
    if None in work_ids:
        raise not_found("No such song.")
    return work_ids


@method("createPlaylist")
def create_playlist(call):
    """Creates a playlist (``name``), or replaces an own playlist's songs (``playlistId``)."""
    profile = call.principal.profile
    work_ids = _song_ids(call, "songId")
    if call.params.text("playlistId"):
        playlist = selectors.playlist_writable_by(profile, _playlist_id(call))
        playlist = playlists.update_playlist(playlist, name=call.params.text("name"), work_ids=work_ids)
    else:
        playlist = playlists.create_playlist(profile, name=call.params.text("name", required=True), work_ids=work_ids)
    return _with_songs(call, playlist.pk)


@method("updatePlaylist")
def update_playlist(call):
    playlist = selectors.playlist_writable_by(call.principal.profile, _playlist_id(call))
    public = call.params.text("public")
    playlists.update_playlist(
        playlist,
        name=call.params.text("name"),
        comment=call.params.text("comment"),
        public=call.params.boolean("public") if public is not None else None,
        add=_song_ids(call, "songIdToAdd"),
        remove_indexes=call.params.integers("songIndexToRemove", maximum=playlists.MAX_ENTRIES),
    )
    return {}


@method("deletePlaylist")
def delete_playlist(call):
    playlists.delete_playlist(selectors.playlist_writable_by(call.principal.profile, _playlist_id(call, "id")))
    return {}
