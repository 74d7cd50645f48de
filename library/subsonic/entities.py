"""Songs, albums and artists in the shapes of the Subsonic schema (``Child``, ``AlbumID3``, ``ArtistID3``).

Never a server path: ``path`` is the ``Artist/Album/NN - Title.ext`` that clients use to name
their offline copies. A caller's own state (starred, rating, plays, bookmark) is merged in by
whoever knows the profile, through the ``state`` mapping each function takes.
"""

from library.ingestion.detect import EXTENSIONS
from library.models import WorkKind
from library.subsonic import catalog
from library.subsonic.envelope import present

_SUFFIXES = {}
for _extension, (_category, _mime) in EXTENSIONS.items():
    _SUFFIXES.setdefault(_mime, _extension.lstrip("."))
_SUFFIXES["audio/mp4"] = "m4a"
_SUFFIXES["audio/ogg"] = "ogg"
_UNSAFE_PATH = str.maketrans({"/": "_", "\\": "_", "\x00": "_"})


def _path_part(text):
    return (text or "").translate(_UNSAFE_PATH).strip() or "_"


def song(work, state=None):
    """A work as a ``Child`` song."""
    asset = work.first_asset
    audiobook = work.kind == WorkKind.AUDIOBOOK
    artist = (work.author if audiobook else work.artist) or catalog.UNKNOWN_ARTIST
    album_artist, album_name = work.album_artist_name, work.album_name
    album = work.album_key or catalog.album_id(album_artist, album_name)
    title = work.title or f"Track {work.pk}"
    suffix = _SUFFIXES.get(asset.mime_type, "bin") if asset else None
    duration = int(round(asset.duration)) if asset and asset.duration else None
    track = work.track_number
    entry = {
        "id": str(work.pk),
        "parent": album,
        "isDir": False,
        "title": title,
        "album": album_name,
        "artist": artist,
        "track": track,
        "year": work.year,
        "genre": work.genre_name,
        # The album's cover (one picture for every song of it, cached once by the app); a song
        # outside any album shows its own.
        "coverArt": album if work.album_key else str(work.pk),
        "size": asset.size if asset else None,
        "contentType": asset.mime_type if asset else None,
        "suffix": suffix,
        "duration": duration,
        "bitRate": round(asset.size * 8 / asset.duration / 1000) if asset and asset.duration else None,
        "path": "/".join((
            _path_part(album_artist), _path_part(album_name),
            _path_part(f"{track:02d} - {title}" if track is not None else title) + (f".{suffix}" if suffix else ""),
        )),
        "isVideo": False,
        "discNumber": work.disc_number,
        "created": work.created_at,
        "albumId": album,
        "artistId": work.artist_key or catalog.artist_id(album_artist),
        "type": "audiobook" if audiobook else "music",
        "mediaType": "song",
        "displayArtist": artist,
        "displayAlbumArtist": album_artist,
    }
    entry.update((state or {}).get(work.pk, {}))
    return present(entry)


def album(found, state=None):
    """A derived :class:`~library.subsonic.catalog.Album` as ``AlbumID3``."""
    entry = {
        "id": found.id,
        "name": found.name,
        "artist": found.artist,
        "artistId": found.artist_id,
        "coverArt": found.id,
        "songCount": found.song_count,
        "duration": int(round(found.duration)),
        "created": found.created,
        "year": found.year,
        "genre": found.genre,
        "displayArtist": found.artist,
        "sortName": catalog.sort_name(found.name),
        "mediaType": "album",
    }
    entry.update((state or {}).get(found.id, {}))
    return present(entry)


def album_directory_child(found, state=None):
    """An album as a folder ``Child`` of its artist's directory (the folder-based browse)."""
    entry = {
        "id": found.id,
        "parent": found.artist_id,
        "isDir": True,
        "title": found.name,
        "album": found.name,
        "artist": found.artist,
        "year": found.year,
        "genre": found.genre,
        "coverArt": found.id,
        "created": found.created,
        "albumId": found.id,
        "artistId": found.artist_id,
        "mediaType": "album",
    }
    entry.update((state or {}).get(found.id, {}))
    return present(entry)


def artist(found, state=None):
    """A derived :class:`~library.subsonic.catalog.Artist` as ``ArtistID3``."""
    entry = {
        "id": found.id,
        "name": found.name,
        "coverArt": found.id,
        "albumCount": len(found.albums),
        "sortName": catalog.sort_name(found.name),
    }
    entry.update((state or {}).get(found.id, {}))
    return present(entry)


def indexed(artist_list, make):
    """Artists grouped under their first letter (``#`` for the rest), in order."""
    groups = {}
    for found in artist_list:
        groups.setdefault(catalog.index_letter(found.name), []).append(make(found))
    return [{"name": letter, "artist": groups[letter]} for letter in sorted(groups, key=lambda name: (name == "#", name))]
