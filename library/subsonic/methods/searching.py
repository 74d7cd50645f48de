"""``search3``: artists, albums and songs whose names hold every word of the query.

An empty query (or ``""``, which several apps send) matches everything: that is how apps sync a
whole library, a page of up to 500 of each at a time, in a stable order (songs by id).
"""

from library.search import fold
from library.subsonic import catalog, entities
from library.subsonic.methods.browsing import folder_of
from library.subsonic.registry import method
from library.subsonic.state import state_for

MAX_PAGE = 500
DEFAULT_COUNT = 20


def _terms(call):
    query = (call.params.text("query", "") or "").strip()
    if query in ('""', "''"):
        query = ""
    return fold(query.replace('"', " ")).split()


def _page(call, name, items):
    count = call.params.integer(f"{name}Count", DEFAULT_COUNT, minimum=0, maximum=MAX_PAGE)
    offset = call.params.integer(f"{name}Offset", 0, minimum=0, maximum=2**31)
    return items[offset:offset + count], count, offset


def _matches(terms, *names):
    text = " ".join(fold(name) for name in names if name)
    return all(term in text for term in terms)


@method("search3")
def search3(call):
    terms = _terms(call)
    folder = folder_of(call)
    songs = catalog.songs(folder)
    for term in terms:
        songs = songs.filter(search_text__contains=term)
    songs = songs.order_by("id") if not terms else songs.order_by("title", "id")
    song_count = call.params.integer("songCount", DEFAULT_COUNT, minimum=0, maximum=MAX_PAGE)
    song_offset = call.params.integer("songOffset", 0, minimum=0, maximum=2**31)
    works = list(catalog.with_assets(songs)[song_offset:song_offset + song_count]) if song_count else []

    wants_albums = call.params.integer("albumCount", DEFAULT_COUNT, minimum=0, maximum=MAX_PAGE)
    wants_artists = call.params.integer("artistCount", DEFAULT_COUNT, minimum=0, maximum=MAX_PAGE)
    albums = catalog.albums(folder) if wants_albums or wants_artists else []
    album_page, _, _ = _page(call, "album", [album for album in albums if _matches(terms, album.name, album.artist)])
    artists = catalog.artists(album_list=albums) if wants_artists else []
    artist_page, _, _ = _page(call, "artist", [artist for artist in artists if _matches(terms, artist.name)])

    state = state_for(call, artists=artist_page, albums=album_page, works=works)
    return {"searchResult3": {
        "artist": [entities.artist(artist, state) for artist in artist_page],
        "album": [entities.album(album, state) for album in album_page],
        "song": [entities.song(work, state) for work in works],
    }}
