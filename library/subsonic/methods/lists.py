"""Lists: ``getAlbumList2`` (every ordering a client pages through) and ``getRandomSongs``."""

import random

from library.subsonic import catalog, entities
from library.subsonic.errors import GENERIC, SubsonicError, missing
from library.subsonic.methods.browsing import folder_of
from library.subsonic.registry import method
from library.subsonic.state import state_for

MAX_PAGE = 500
LIST_TYPES = (
    "random", "newest", "highest", "frequent", "recent", "alphabeticalByName", "alphabeticalByArtist",
    "starred", "byYear", "byGenre",
)


def _ordered(call, albums, kind):
    if kind == "random":
        return random.sample(albums, len(albums))
    if kind == "newest":
        return sorted(albums, key=lambda album: (album.created, album.id), reverse=True)
    if kind == "alphabeticalByArtist":
        return sorted(albums, key=lambda album: (catalog.sort_name(album.artist), album.sort_key))
    if kind == "byYear":
        first = call.params.integer("fromYear", required=True, minimum=0, maximum=9999)
        last = call.params.integer("toYear", required=True, minimum=0, maximum=9999)
        low, high = sorted((first, last))
        chosen = [album for album in albums if album.year is not None and low <= album.year <= high]
        return sorted(chosen, key=lambda album: (album.year, album.sort_key), reverse=first > last)
    if kind == "byGenre":
        genre = call.params.text("genre", required=True)
        return [album for album in albums if album.genre == genre]
    if kind in ("highest", "frequent", "recent", "starred"):
        # Orders by the caller's own state; an engine without it has none to order by.
        return _by_state(call, albums, kind)
    return albums


def _by_state(call, albums, kind):
    state = state_for(call, albums=albums)
    field = {"highest": "userRating", "frequent": "playCount", "recent": "played", "starred": "starred"}[kind]
    chosen = [album for album in albums if state.get(album.id, {}).get(field)]
    return sorted(chosen, key=lambda album: state[album.id][field], reverse=True)


@method("getAlbumList2")
def get_album_list2(call):
    kind = call.params.text("type")
    if kind is None:
        raise missing("type")
    if kind not in LIST_TYPES:
        raise SubsonicError(GENERIC, f"Unknown list type {kind!r}; use one of {', '.join(LIST_TYPES)}.")
    size = call.params.integer("size", 10, minimum=0, maximum=MAX_PAGE)
    offset = call.params.integer("offset", 0, minimum=0, maximum=2**31)
    page = _ordered(call, catalog.albums(folder_of(call)), kind)[offset:offset + size]
    state = state_for(call, albums=page)
    return {"albumList2": {"album": [entities.album(album, state) for album in page]}}


@method("getRandomSongs")
def get_random_songs(call):
    size = call.params.integer("size", 10, minimum=0, maximum=MAX_PAGE)
    queryset = catalog.songs(folder_of(call))
    genre = call.params.text("genre")
    if genre:
        queryset = queryset.filter(genre_name=genre)
    first = call.params.integer("fromYear", minimum=0, maximum=9999)
    last = call.params.integer("toYear", minimum=0, maximum=9999)
    if first is not None:
        queryset = queryset.filter(year__gte=first)
    if last is not None:
        queryset = queryset.filter(year__lte=last)
    works = catalog.listed(queryset.order_by("?")[:size])
    state = state_for(call, works=works)
    return {"randomSongs": {"song": [entities.song(work, state) for work in works]}}
