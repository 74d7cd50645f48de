"""Real media files for tests and benchmarks: MP3s with ID3 tags written by mutagen, EPUBs with an OPF.

The MP3s are silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) that mutagen parses and times;
``salt`` makes the content (and so the SHA-256) of otherwise identical files differ.
"""

import zipfile
from pathlib import Path

from mutagen.id3 import ID3, TALB, TDRC, TIT2, TPE1, TXXX

FRAME_HEADER = b"\xff\xfb\x90\x00"
FRAME_LENGTH = 417  # 144 * 128000 / 44100
SECONDS_PER_FRAME = 1152 / 44100


def write_mp3(path, *, title=None, artist=None, album=None, year=None, frames=40, salt=""):
    path = Path(path) if not isinstance(path, bytes) else path
    with open(path, "wb") as handle:
        handle.write((FRAME_HEADER + bytes(FRAME_LENGTH - 4)) * frames)
    tags = ID3()
    for frame, value in ((TIT2, title), (TPE1, artist), (TALB, album), (TDRC, str(year) if year else None)):
        if value:
            tags.add(frame(encoding=3, text=value))
    if salt:
        tags.add(TXXX(encoding=3, desc="salt", text=str(salt)))
    tags.save(path)
    return path


OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:isbn:9780000000001</dc:identifier>
    <dc:title>{title}</dc:title>
    <dc:creator>{author}</dc:creator>
    <dc:date>{date}</dc:date>
    <dc:language>en</dc:language>
    <meta name="calibre:series" content="{series}"/>
  </metadata>
  <manifest/><spine/>
</package>"""
CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""


def write_epub(path, *, title, author, date="2001-05-01", series=""):
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", OPF.format(title=title, author=author, date=date, series=series))
    return path
