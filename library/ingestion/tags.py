"""Embedded values from audio and video files, read with mutagen."""

import re

import mutagen

from library.ingestion import epub

_YEAR = re.compile(r"(\d{4})")
#: mutagen "easy" keys → the engine's field names.
EASY_FIELDS = {
    "title": "title",
    "artist": "artist",
    "album": "album",
    "albumartist": "album_artist",
    "genre": "genre",
    "tracknumber": "track",
    "discnumber": "disc",
    "composer": "composer",
    "musicbrainz_trackid": "musicbrainz_recording_id",
    "musicbrainz_albumid": "musicbrainz_release_id",
}


class TagError(Exception):
    pass


def read_media_tags(stream):
    """``{"title", "artist", "album", "year", "duration", ...}`` of an audio/video file.

    Truncated or corrupt files raise :class:`TagError`; the scan still takes the file in,
    named after itself.
    """
    try:
        media = mutagen.File(stream, easy=True)
    except Exception as error:  # mutagen raises many types for broken input
        raise TagError(f"{error.__class__.__name__}: {error}") from error
    if media is None:
        return {}
    values = {}
    info = getattr(media, "info", None)
    length = getattr(info, "length", None)
    if length:
        values["duration"] = round(float(length), 3)
    for key, field in EASY_FIELDS.items():
        try:
            found = (media.tags or {}).get(key) if media.tags is not None else None
        except (KeyError, ValueError):
            found = None
        if found:
            value = str(found[0]).strip()
            if value:
                values[field] = value
    try:
        date = (media.tags or {}).get("date") if media.tags is not None else None
    except (KeyError, ValueError):
        date = None
    if date:
        match = _YEAR.search(str(date[0]))
        if match:
            values["year"] = int(match.group(1))
    return values


def read_embedded(stream, media_type):
    """``stream`` is a seekable binary file object positioned anywhere."""
    stream.seek(0)
    if media_type.category in ("audio", "video"):
        return read_media_tags(stream)
    if media_type.mime_type == "application/epub+zip":
        try:
            return epub.read_opf(stream)
        except epub.EpubError as error:
            raise TagError(f"EPUB metadata unreadable: {error}") from error
    return {}
