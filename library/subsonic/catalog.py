"""Artists and albums as Subsonic sees them, derived from the engine's works; never stored.

A song is a music or audiobook work. Its album is named by the album tag (an audiobook's title)
and belongs to the album artist, else the artist (an audiobook's author). Names that differ only
in case or accents are one album or artist, and ids are digests of the folded names, so an id is
stable across rescans, restarts and servers for as long as the names stay the same:
``ar-<16 hex>`` for an artist, ``al-<16 hex>`` for an album; a song's id is its work's id.
Songs are ordered by disc, then track, then title.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Case, Count, F, IntegerField, Max, Min, Prefetch, Q, Sum, TextField, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, NullIf

from library.models import Asset, AssetLocation, Work, WorkKind
from library.search import fold

SONG_KINDS = (WorkKind.MUSIC, WorkKind.AUDIOBOOK)
UNKNOWN_ARTIST = "[Unknown Artist]"
UNKNOWN_ALBUM = "[Unknown Album]"
ARTIST_PREFIX = "ar-"
ALBUM_PREFIX = "al-"
#: Leading words that indexes and alphabetical orders skip, as Subsonic servers do.
IGNORED_ARTICLES = ("The", "A", "An", "Die", "Das", "Der", "El", "La", "Le", "Les", "Los")


def _digest(*names):
    return hashlib.sha256("\x1f".join(fold(name) for name in names).encode("utf-8")).hexdigest()[:16]


def artist_id(name):
    return ARTIST_PREFIX + _digest(name)


def album_id(artist, name):
    return ALBUM_PREFIX + _digest(artist, name)


def sort_name(name):
    """The folded name without a leading article: ``"The Beatles"`` sorts as ``"beatles"``."""
    folded = fold(name)
    for article in IGNORED_ARTICLES:
        prefix = fold(article) + " "
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix):]
    return folded


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
    return queryset.annotate(
        album_artist_name=Coalesce(
            Case(When(audiobook, then=_column("author")), default=_text("album_artist"), output_field=TextField()),
            _column("artist"),
            Value(UNKNOWN_ARTIST),
            output_field=TextField(),
        ),
        album_name=Coalesce(
            Case(When(audiobook, then=_column("title")), default=_column("album"), output_field=TextField()),
            Value(UNKNOWN_ALBUM),
            output_field=TextField(),
        ),
        genre_name=_text("genre"),
        disc_number=Cast(_text("disc"), IntegerField()),
        track_number=Cast(_text("track"), IntegerField()),
    )


def with_assets(queryset):
    return queryset.prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("id")))


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

    @property
    def sort_key(self):
        return (sort_name(self.name), sort_name(self.artist), self.id)

    def songs(self, folder=None):
        """The album's songs in disc and track order."""
        match = Q()
        for artist, name in self.members:
            match |= Q(album_artist_name=artist, album_name=name)
        return in_album_order(songs(folder).filter(match))


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


def albums(folder=None, queryset=None):
    """Every album (one grouped query), in alphabetical order of name."""
    rows = (
        (queryset if queryset is not None else songs(folder))
        .order_by()
        .values("album_artist_name", "album_name")
        .annotate(
            song_count=Count("id", distinct=True),
            duration=Sum("assets__duration"),
            created=Min("created_at"),
            year=Max("year"),
            genre=Max("genre_name"),
            cover=Min("id"),
        )
    )
    found, album_spellings, artist_spellings = {}, {}, {}
    for row in rows:
        artist, name = row["album_artist_name"], row["album_name"]
        key = album_id(artist, name)
        album = found.get(key)
        if album is None:
            album = found[key] = Album(id=key, name=name, artist=artist, artist_id=artist_id(artist))
        album.members.add((artist, name))
        _count(album_spellings.setdefault(key, {}), name, row["song_count"])
        _count(artist_spellings.setdefault(album.artist_id, {}), artist, row["song_count"])
        album.song_count += row["song_count"]
        album.duration += row["duration"] or 0.0
        album.created = min(filter(None, (album.created, row["created"])), default=None)
        album.year = max(filter(None, (album.year, row["year"])), default=None)
        album.genre = album.genre or row["genre"]
        album.cover_work_id = min(filter(None, (album.cover_work_id, row["cover"])), default=None)
    for album in found.values():
        album.name = _spelling(album_spellings[album.id])
        album.artist = _spelling(artist_spellings[album.artist_id])
    return sorted(found.values(), key=lambda album: album.sort_key)


def _count(spellings, name, songs):
    spellings[name] = spellings.get(name, 0) + songs


def _spelling(spellings):
    """The name shown for spellings that fold alike: the one most songs use; on a tie the one
    with the most accented letters ("Beyoncé" over "Beyonce"), then the first in code-point order."""
    return min(spellings, key=lambda name: (-spellings[name], -sum(ord(char) > 127 for char in name), name))


def artists(folder=None, album_list=None):
    """Every album artist with their albums, in alphabetical order (articles ignored)."""
    found = {}
    for album in album_list if album_list is not None else albums(folder):
        artist = found.get(album.artist_id)
        if artist is None:
            artist = found[album.artist_id] = Artist(id=album.artist_id, name=album.artist)
        artist.albums.append(album)
    for artist in found.values():
        artist.albums.sort(key=lambda album: (album.year or 0, album.sort_key))
    return sorted(found.values(), key=lambda artist: artist.sort_key)


def album(album_id_, folder=None):
    return next((found for found in albums(folder) if found.id == album_id_), None)


def artist(artist_id_, folder=None):
    return next((found for found in artists(folder) if found.id == artist_id_), None)


def song(work_id):
    return with_assets(songs()).filter(pk=work_id).first()


def parse_song_id(text):
    """A song id (a work id in digits), or None for anything else."""
    if text is None or not text.isdigit() or len(text) > 18:
        return None
    return int(text)
