"""``search3``: artists, albums and songs whose names hold every word of the query.

Songs are found by the library's one search (``library.search.search_works``, what ``?q=`` uses,
answered by the search index), so an app and the works list find the same songs; albums and
artists, derived in memory, by the same words. An empty query (or ``""``, which several apps
send) matches everything: that is how apps sync a whole library, a page of up to 500 of each at
a time, in a stable order (songs by id).
"""

from itertools import islice

from library.search import search_works, words
from library.subsonic import catalog, entities
from library.subsonic.methods.browsing import folder_of
from library.subsonic.registry import method
from library.subsonic.state import state_for

MAX_PAGE = 500
DEFAULT_COUNT = 20


def _query(call):
    query = (call.params.text("query", "") or "").strip()
    return "" if query in ('""', "''") else query.replace('"', " ")


def _window(call, name):
    """``(count, offset)`` of one of the three result lists."""
    count = call.params.integer(f"{name}Count", DEFAULT_COUNT, minimum=0, maximum=MAX_PAGE)
    offset = call.params.integer(f"{name}Offset", 0, minimum=0, maximum=2**31)
    return count, offset


def _page(items, window, terms, names):
    count, offset = window
    if not count:
        return []
    matching = (item for item in items if all(term in catalog.folded(" ".join(names(item))) for term in terms))
    return list(islice(matching, offset, offset + count))


@method("search3")
def search3(call):
    query = _query(call)
    terms = words(query)
    folder = folder_of(call)
    song_count, song_offset = _window(call, "song")
    works = []
    if song_count:
        songs = search_works(catalog.songs(folder), query)
        songs = songs.order_by("title", "id") if terms else songs.order_by("id")
        works = catalog.listed(songs[song_offset:song_offset + song_count])
    album_window, artist_window = _window(call, "album"), _window(call, "artist")
    found = catalog.current(folder) if album_window[0] or artist_window[0] else None
    albums = _page(found.albums, album_window, terms, lambda album: (album.name, album.artist)) if found else []
    artists = _page(found.artists, artist_window, terms, lambda artist: (artist.name,)) if found else []
    state = state_for(call, artists=artists, albums=albums, works=works)
    return {"searchResult3": {
        "artist": [entities.artist(artist, state) for artist in artists],
        "album": [entities.album(album, state) for album in albums],
        "song": [entities.song(work, state) for work in works],
    }}
