"""Artists and albums as Subsonic sees them, derived from the engine's works; never stored.

The rule and the ids are the library's (:mod:`library.catalog`): a song is a music or audiobook
work, its artist the album artist, else the artist (an audiobook's author), its album the album
tag (an audiobook's title) of that artist; ids are digests of the names folded for case and
blanks, kept on each work (``artist_key``, ``album_key``), so stars and ratings name the same
albums and artists as the REST API. A song's id is its work's id. Songs without an album tag are
under ``[Unknown Album]`` of their artist (``[Unknown Artist]`` without one either). Songs are
ordered by disc, then track, then title.
"""

import threading
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

from django.db import connection
from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, NullIf

from library import catalog as library_catalog
from library.catalog import ALBUM_PREFIX, ARTIST_PREFIX  # noqa: F401  (the id prefixes, for the methods)
from library.models import Asset, AssetLocation, Work, WorkKind
from library.search import fold

SONG_KINDS = tuple(WorkKind(kind) for kind in sorted(library_catalog.CATALOGUED_KINDS))
UNKNOWN_ARTIST = "[Unknown Artist]"
UNKNOWN_ALBUM = "[Unknown Album]"
#: Leading words that indexes and alphabetical orders skip, as Subsonic servers do.
IGNORED_ARTICLES = ("The", "A", "An", "Die", "Das", "Der", "El", "La", "Le", "Les", "Los")
#: Catalogs remembered per process (one per folder asked for, and the whole library).
MEMO_FOLDERS = 64


@lru_cache(maxsize=65536)
def folded(name):
    """:func:`library.search.fold`, remembered: the same few thousand names fold again and again."""
    return fold(name)


@lru_cache(maxsize=65536)
def artist_id(name):
    return library_catalog.artist_id(name)


@lru_cache(maxsize=65536)
def album_id(artist, name):
    return library_catalog.album_id(artist, name)


_ARTICLE_PREFIXES = tuple(fold(article) + " " for article in IGNORED_ARTICLES)


@lru_cache(maxsize=65536)
def sort_name(name):
    """The folded name without a leading article: ``"The Beatles"`` sorts as ``"beatles"``."""
    text = folded(name)
    for prefix in _ARTICLE_PREFIXES:
        if text.startswith(prefix) and len(text) > len(prefix):
            return text[len(prefix):]
    return text


def index_letter(name):
    key = sort_name(name)
    letter = key[:1].upper()
    return letter if letter.isalpha() else "#"


def _text(field_name):
    return NullIf(KeyTextTransform(field_name, "metadata"), Value(""), output_field=TextField())


def _column(name):
    return NullIf(F(name), Value(""), output_field=TextField())


def songs(folder=None):
    """Every song, annotated with its album artist, album name, disc and track."""
    queryset = Work.objects.filter(kind__in=SONG_KINDS)
    if folder is not None:
        queryset = queryset.filter(id__in=AssetLocation.objects.filter(root_id=folder).values("asset__work_id"))
    audiobook = Q(kind=WorkKind.AUDIOBOOK)
    # The names library.catalog.names gives, for the ids stored on the work.
    return queryset.annotate(
        album_artist_name=Coalesce(
            _text("album_artist"),
            _column("artist"),
            Case(When(audiobook, then=_column("author")), default=None, output_field=TextField()),
            Value(UNKNOWN_ARTIST),
            output_field=TextField(),
        ),
        album_name=Coalesce(
            _column("album"),
            Case(When(audiobook, then=_column("title")), default=None, output_field=TextField()),
            Value(UNKNOWN_ALBUM),
            output_field=TextField(),
        ),
        genre_name=_text("genre"),
        disc_number=Cast(_text("disc"), IntegerField()),
        track_number=Cast(_text("track"), IntegerField()),
    )


@dataclass(frozen=True)
class FileFacts:
    """What a song entry says about the file that plays it (the work's first asset)."""

    size: int
    mime_type: str
    duration: float | None


#: What a song entry reads of a work (``entities.song``), with the annotations of :func:`songs`.
SONG_FIELDS = (
    "id", "kind", "title", "artist", "author", "year", "created_at", "artist_key", "album_key",
    "album_artist_name", "album_name", "genre_name", "disc_number", "track_number",
)


class ListedSong(SimpleNamespace):
    """A song as a page lists it: the values of :data:`SONG_FIELDS` and its ``first_asset``;
    no model instance (for writing state, take the work from :func:`songs`)."""

    @property
    def pk(self):
        return self.id


def listed(queryset):
    """The songs of ``queryset`` (from :func:`songs`) as :class:`ListedSong` values, with
    ``first_asset`` set on each, in one more query for all of them. Model instances were most of
    the cost of a 500-song page; a prefetch builds a queryset per work, 4x slower still."""
    works = [ListedSong(**row) for row in queryset.values(*SONG_FIELDS)]
    first = {}
    rows = Asset.objects.filter(work_id__in=[work.pk for work in works]).order_by("-id").values_list("work_id", "size", "mime_type", "duration")
    for work_id, size, mime_type, duration in rows:
        first[work_id] = FileFacts(size, mime_type, duration)
    for work in works:
        work.first_asset = first.get(work.pk)
    return works


def in_album_order(queryset):
    return queryset.order_by(F("disc_number").asc(nulls_first=True), F("track_number").asc(nulls_first=True), "title", "id")


@dataclass
class Album:
    id: str
    name: str
    artist: str
    artist_id: str
    song_count: int = 0
    duration: float = 0.0
    created: datetime | None = None
    year: int | None = None
    genre: str | None = None
    #: The work whose artwork stands for the album: its first song by id.
    cover_work_id: int | None = None
    #: The exact (album artist, album) spellings that fold into this album.
    members: set = field(default_factory=set)
    #: Its songs' work ids, in id order.
    work_ids: list = field(default_factory=list)

    @property
    def sort_key(self):
        return (sort_name(self.name), sort_name(self.artist), self.id)

    def songs(self):
        """The album's songs in disc and track order."""
        return in_album_order(songs().filter(pk__in=self.work_ids))


@dataclass
class Artist:
    id: str
    name: str
    albums: list = field(default_factory=list)

    @property
    def sort_key(self):
        return (sort_name(self.name), self.id)

    @property
    def cover_work_id(self):
        return self.albums[0].cover_work_id if self.albums else None


def _scan(folder):
    """Every song's grouping facts in one plain query (no GROUP BY: the albums keep their songs'
    ids, so an album's page is a primary-key look-up), grouped here."""
    rows = (
        songs(folder).order_by("id", "assets__id")
        .values_list("id", "artist_key", "album_key", "album_artist_name", "album_name", "created_at", "year", "genre_name", "assets__duration")
    )
    found, album_spellings, artist_spellings = {}, {}, {}
    previous = None
    for work_id, artist_key, album_key, artist, name, created, year, genre, duration in rows:
        if work_id == previous:
            continue  # a further copy of the same work: the first asset speaks for it
        previous = work_id
        key = album_key or album_id(artist, name)
        album = found.get(key)
        if album is None:
            album = found[key] = Album(
                id=key, name=name, artist=artist, artist_id=artist_key or artist_id(artist), created=created, cover_work_id=work_id,
            )
        album.members.add((artist, name))
        album.work_ids.append(work_id)
        album.song_count += 1
        album.duration += duration or 0.0
        album.created = min(album.created, created)
        if year is not None and (album.year is None or year > album.year):
            album.year = year
        album.genre = album.genre or genre
        _count(album_spellings.setdefault(key, {}), name)
        _count(artist_spellings.setdefault(album.artist_id, {}), artist)
    for album in found.values():
        album.name = _spelling(album_spellings[album.id])
        album.artist = _spelling(artist_spellings[album.artist_id])
    albums = sorted(found.values(), key=lambda album: album.sort_key)
    return Catalog(albums, _artists_of(albums))


def _count(spellings, name):
    spellings[name] = spellings.get(name, 0) + 1


def _spelling(spellings):
    """The name shown for spellings that fold alike ("The Beatles", "the beatles"): the one most
    songs use; on a tie the first in code-point order."""
    return min(spellings, key=lambda name: (-spellings[name], name))


def _artists_of(albums):
    found = {}
    for album in albums:
        artist = found.get(album.artist_id)
        if artist is None:
            artist = found[album.artist_id] = Artist(id=album.artist_id, name=album.artist)
        artist.albums.append(album)
    for artist in found.values():
        artist.albums.sort(key=lambda album: (album.year or 0, album.sort_key))
    return sorted(found.values(), key=lambda artist: artist.sort_key)


@dataclass
class Catalog:
    """The derived albums and artists of one state of the library (and one folder, or all)."""

    albums: list
    artists: list
    albums_by_id: dict = field(init=False)
    artists_by_id: dict = field(init=False)

    def __post_init__(self):
        self.albums_by_id = {album.id: album for album in self.albums}
        self.artists_by_id = {artist.id: artist for artist in self.artists}


_memo = {}
_memo_lock = threading.Lock()


def library_version():
    """What the derived catalog depends on, in one cheap statement: the works (count, newest id,
    last change), their assets and their locations (count, newest id). Any scan, resolution,
    deletion or move changes it."""
    tables = [model._meta.db_table for model in (Work, Asset, AssetLocation)]
    parts = [f'(SELECT COUNT(*) FROM "{table}"), (SELECT MAX(id) FROM "{table}")' for table in tables]
    parts.append(f'(SELECT MAX(updated_at) FROM "{tables[0]}")')
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return (connection.alias, *cursor.fetchone())


def current(folder=None):
    """The catalog of the library as it is now: derived again only when :func:`library_version`
    has changed since it was last derived in this process, so paging through 1,000 albums
    groups 10,000 works once, not once per page."""
    version = library_version()
    with _memo_lock:
        remembered = _memo.get(folder)
        if remembered is not None and remembered[0] == version:
            return remembered[1]
    derived = _scan(folder)
    with _memo_lock:
        if len(_memo) > MEMO_FOLDERS:
            _memo.clear()
        _memo[folder] = (version, derived)
    return derived


def albums(folder=None):
    """Every album, in alphabetical order of name."""
    return current(folder).albums


def artists(folder=None):
    """Every album artist with their albums, in alphabetical order (articles ignored)."""
    return current(folder).artists


def album(album_id_, folder=None):
    return current(folder).albums_by_id.get(album_id_)


def artist(artist_id_, folder=None):
    return current(folder).artists_by_id.get(artist_id_)


def song(work_id):
    found = listed(songs().filter(pk=work_id))
    return found[0] if found else None


def parse_song_id(text):
    """A song id (a work id in digits), or None for anything else."""
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)
