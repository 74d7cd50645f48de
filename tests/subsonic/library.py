"""A small music library of real tagged MP3 files, the same for the ASGI and the real-client tests.

Two discs of one album (order: disc, then track), a compilation with an album artist, one artist
and album spelled in two cases (one artist, one album), and a song without tags. Abbey Road's
files carry an embedded front cover (600x400 JPEG), the compilation's folder a ``cover.png``
sidecar (300x300); the other songs have none.
"""

from pathlib import Path

import xmlschema
from mutagen.id3 import APIC, ID3

from tests.artwork_samples import picture
from tests.media_samples import write_mp3

EMBEDDED_COVER = (600, 400)
SIDECAR_COVER = (300, 300)

XSD = Path(__file__).with_name("opensubsonic-1.16.1.xsd")
_schema = None

#: (file, tags): what the library holds.
SONGS = [
    ("beatles/abbey-road/2-01.mp3", dict(title="Here Comes the Sun", artist="The Beatles", album="Abbey Road", year=1969, track="1/6", disc="2/2", genre="Rock")),
    ("beatles/abbey-road/1-02.mp3", dict(title="Something", artist="The Beatles", album="Abbey Road", year=1969, track="2/11", disc="1/2", genre="Rock")),
    ("beatles/abbey-road/1-01.mp3", dict(title="Come Together", artist="The Beatles", album="Abbey Road", year=1969, track="1/11", disc="1/2", genre="Rock")),
    ("various/now/01.mp3", dict(title="Crazy in Love", artist="Beyoncé", album="Now 2003", album_artist="Various Artists", year=2003, track=1, genre="Pop")),
    ("various/now/02.mp3", dict(title="Hey Ya!", artist="OutKast", album="Now 2003", album_artist="Various Artists", year=2003, track=2, genre="Pop")),
    ("beyonce/dangerously/01.mp3", dict(title="Dangerously in Love", artist="Beyoncé", album="Dangerously in Love", year=2003, track=1, genre="R&B")),
    ("beyonce/dangerously/02.mp3", dict(title="Naughty Girl", artist="beyoncé", album="Dangerously In Love", year=2003, track=2, genre="R&B")),
    ("untagged.mp3", dict()),
]


def write_library(folder):
    """Writes :data:`SONGS` under ``folder`` (each file's content differs) and returns it."""
    folder = Path(folder)
    cover = picture(*EMBEDDED_COVER)
    for number, (relative, tags) in enumerate(SONGS):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        write_mp3(path, frames=40 + number, salt=f"song-{number}", **tags)
        if relative.startswith("beatles/"):
            id3 = ID3(path)
            id3.add(APIC(encoding=3, mime="image/jpeg", type=3, desc="Cover", data=cover))
            id3.save(path)
    (folder / "various" / "now" / "cover.png").write_bytes(picture(*SIDECAR_COVER, color=(20, 90, 200), image_format="PNG"))
    return folder


def validate_xml(content):
    """Validates an XML answer against the schema written from the OpenSubsonic specification."""
    global _schema
    if _schema is None:
        _schema = xmlschema.XMLSchema(str(XSD))
    _schema.validate(content)
