"""Browsing: folders, indexes and directories (the folder-based browse), artists, albums, songs, genres.

Both browses show the same derived artists and albums (see :mod:`library.subsonic.catalog`):
an artist's directory holds its albums, an album's holds its songs.
"""

from django.db.models import Max

from library.search import fold
from library.subsonic import catalog, entities
from library.subsonic.errors import not_found
from library.subsonic.methods.system import music_folders
from library.subsonic.registry import method
from library.subsonic.state import state_for

IGNORED_ARTICLES = " ".join(catalog.IGNORED_ARTICLES)


def folder_of(call):
    """``musicFolderId`` as a folder the API serves, None for all; 70 for another number."""
    folder = call.params.integer("musicFolderId", minimum=0, maximum=2**63 - 1)
    if folder is not None and not music_folders().filter(pk=folder).exists():
        raise not_found("No such music folder.")
    return folder


@method("getIndexes")
def get_indexes(call):
    folder = folder_of(call)
    artists = catalog.artists(folder)
    state = state_for(call, artists=artists)
    changed = catalog.songs(folder).order_by().aggregate(changed=Max("updated_at"))["changed"]
    last_modified = int(changed.timestamp() * 1000) if changed else 0
    since = call.params.integer("ifModifiedSince", 0)
    index = [] if since and since >= last_modified else entities.indexed(
        artists, lambda found: {"id": found.id, "name": found.name, **state.get(found.id, {})}
    )
    return {"indexes": {"lastModified": last_modified, "ignoredArticles": IGNORED_ARTICLES, "index": index}}


@method("getArtists")
def get_artists(call):
    artists = catalog.artists(folder_of(call))
    state = state_for(call, artists=artists)
    return {"artists": {
        "ignoredArticles": IGNORED_ARTICLES,
        "index": entities.indexed(artists, lambda found: entities.artist(found, state)),
    }}


def _artist(call):
    found = catalog.artist(call.params.text("id", required=True))
    if found is None:
        raise not_found("No such artist.")
    return found


def _album(call, text=None):
    found = catalog.album(text if text is not None else call.params.text("id", required=True))
    if found is None:
        raise not_found("No such album.")
    return found


@method("getArtist")
def get_artist(call):
    found = _artist(call)
    state = state_for(call, artists=[found], albums=found.albums)
    return {"artist": {**entities.artist(found, state), "album": [entities.album(album, state) for album in found.albums]}}


def album_songs(call, found):
    works = catalog.listed(found.songs())
    return works, state_for(call, albums=[found], works=works)


@method("getAlbum")
def get_album(call):
    found = _album(call)
    works, state = album_songs(call, found)
    return {"album": {**entities.album(found, state), "song": [entities.song(work, state) for work in works]}}


@method("getSong")
def get_song(call):
    work_id = catalog.parse_song_id(call.params.text("id", required=True))
    work = catalog.song(work_id) if work_id is not None else None
    if work is None:
        raise not_found("No such song.")
    return {"song": entities.song(work, state_for(call, works=[work]))}


@method("getMusicDirectory")
def get_music_directory(call):
    """An artist's directory lists its albums; an album's lists its songs."""
    text = call.params.text("id", required=True)
    if text.startswith(catalog.ARTIST_PREFIX):
        found = _artist(call)
        state = state_for(call, artists=[found], albums=found.albums)
        return {"directory": {
            "id": found.id, "name": found.name, **state.get(found.id, {}),
            "child": [entities.album_directory_child(album, state) for album in found.albums],
        }}
    if text.startswith(catalog.ALBUM_PREFIX):
        found = _album(call, text)
        works, state = album_songs(call, found)
        return {"directory": {
            "id": found.id, "parent": found.artist_id, "name": found.name, **state.get(found.id, {}),
            "child": [entities.song(work, state) for work in works],
        }}
    raise not_found("No such directory.")


@method("getGenres")
def get_genres(call):
    songs, albums = {}, {}
    rows = catalog.songs().exclude(genre_name=None).order_by().values_list("genre_name", "album_key", "album_artist_name", "album_name")
    for genre, album_key, artist, album in rows:
        songs[genre] = songs.get(genre, 0) + 1
        albums.setdefault(genre, set()).add(album_key or catalog.album_id(artist, album))
    return {"genres": {"genre": [
        {"songCount": songs[genre], "albumCount": len(albums[genre]), "value": genre}
        for genre in sorted(songs, key=fold)
    ]}}
