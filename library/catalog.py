"""Albums and artists, derived from works: their ids, for browsing and for stars and ratings.

The library stores works (tracks, books); music apps browse artists and albums. Both are derived
from a work's canonical values, and their ids from their names, so they need no table of their
own and follow every metadata correction:

- a work's **artist** is its album artist, else its artist (for audiobooks, else its author);
- its **album** is its album (for audiobooks, which carry the book as their title, else the title),
  and belongs to that artist, so two artists' albums called "Greatest Hits" stay two albums;
- names compare folded for case and blanks (Unicode NFKC), as metadata resolution compares values;
- ids are ``ar-`` / ``al-`` and 16 hex digits of a SHA-256 of the folded names: stable across
  scans, processes and databases, short enough for any client, and with 64 bits no library meets
  a collision.

Only music and audiobooks have artists and albums. The ids are stored on the work
(``Work.artist_key``, ``Work.album_key``, indexed) whenever metadata resolution writes it.
"""

import hashlib
import re
import unicodedata

ARTIST_PREFIX = "ar-"
ALBUM_PREFIX = "al-"
#: The kinds of work the music and audiobook apps browse as artists and albums.
CATALOGUED_KINDS = frozenset({"music", "audiobook"})
ARTIST_ID = re.compile(r"ar-[0-9a-f]{16}")
ALBUM_ID = re.compile(r"al-[0-9a-f]{16}")
_SEPARATOR = "\x1f"


def _folded(name):
    return " ".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def _digest(text):
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def artist_id(name):
    """The id of the artist called ``name`` (None for no name)."""
    folded = _folded(name)
    return f"{ARTIST_PREFIX}{_digest(folded)}" if folded else None


def album_id(artist, album):
    """The id of the album ``album`` by ``artist`` (None for no album name)."""
    folded = _folded(album)
    return f"{ALBUM_PREFIX}{_digest(_folded(artist) + _SEPARATOR + folded)}" if folded else None


def names(*, kind, title="", artist="", album="", author="", album_artist=""):
    """``(artist name, album name)`` of a work with these canonical values; blanks where none."""
    if kind not in CATALOGUED_KINDS:
        return "", ""
    audiobook = kind == "audiobook"
    artist_name = album_artist or artist or (author if audiobook else "")
    album_name = album or (title if audiobook else "")
    return artist_name or "", album_name or ""


def keys(**values):
    """``(artist id, album id)`` of a work with these canonical values (see :func:`names`),
    blanks where it has none; what ``Work.artist_key`` and ``Work.album_key`` hold."""
    artist_name, album_name = names(**values)
    return artist_id(artist_name) or "", album_id(artist_name, album_name) or ""


def keys_of(work):
    metadata = work.metadata or {}
    return keys(
        kind=work.kind, title=work.title, artist=work.artist, album=work.album, author=work.author,
        album_artist=str(metadata.get("album_artist") or ""),
    )
