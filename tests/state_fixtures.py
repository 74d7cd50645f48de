"""A scanned library of real tagged MP3s, and clients of two profiles, for the per-profile state tests.

The works are what the real scanner makes of the files (tags written with mutagen), so album and
artist ids are those a scan derives.
"""

from dataclasses import dataclass

import pytest
from mutagen.id3 import ID3, TPE2

from library.models import Work
from tests.conftest import EngineClient
from tests.media_samples import write_mp3
from tests.streaming_fixtures import make_root, scan

#: (file, title, artist, album, album artist)
SONGS = [
    ("a1.mp3", "Blue Train", "John Coltrane", "Blue Train", ""),
    ("a2.mp3", "Moment's Notice", "John Coltrane", "Blue Train", ""),
    ("b1.mp3", "So What", "Miles Davis", "Kind of Blue", ""),
    ("c1.mp3", "Giant Steps (guest)", "Guest Player", "Greatest Hits", "John Coltrane"),
    ("d1.mp3", "Other Hit", "Someone Else", "Greatest Hits", ""),
]


def write_song(path, title, artist, album, album_artist, salt):
    write_mp3(path, title=title, artist=artist, album=album, salt=salt)
    if album_artist:
        tags = ID3(path)
        tags.add(TPE2(encoding=3, text=album_artist))
        tags.save(path)


@pytest.fixture
def songs(db, tmp_path):
    """``{title: Work}`` of a scanned folder of :data:`SONGS`."""
    root = make_root(tmp_path / "music")
    for number, (name, title, artist, album, album_artist) in enumerate(SONGS):
        write_song(tmp_path / "music" / name, title, artist, album, album_artist, salt=number)
    scan(root)
    return {work.title: work for work in Work.objects.all()}


@dataclass
class Person:
    """A profile with two devices (two keys) and its id."""

    profile: object
    phone: EngineClient
    tablet: EngineClient


@pytest.fixture
def people(make_key, make_profile):
    """``ana`` and ``ben``: two Consumer profiles with a phone and a tablet key each."""

    def person(name):
        profile = make_profile(name)
        devices = [EngineClient(key=make_key("Consumer", label=f"{name}'s {device}", profile=profile)[1]) for device in ("phone", "tablet")]
        return Person(profile, *devices)

    return {"ana": person("Ana"), "ben": person("Ben")}
