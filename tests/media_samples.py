"""Real media files for tests and benchmarks: MP3s with ID3 tags written by mutagen, EPUBs with an OPF.

The MP3s are silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) that mutagen parses and times;
``salt`` makes the content (and so the SHA-256) of otherwise identical files differ.
"""

import struct
import zipfile
from pathlib import Path

from mutagen.id3 import ID3, TALB, TCON, TDRC, TIT2, TPE1, TPE2, TPOS, TRCK, TXXX

FRAME_HEADER = b"\xff\xfb\x90\x00"
FRAME_LENGTH = 417  # 144 * 128000 / 44100
SECONDS_PER_FRAME = 1152 / 44100


def write_mp3(path, *, title=None, artist=None, album=None, year=None, frames=40, salt="",
              album_artist=None, track=None, disc=None, genre=None):
    """``track`` and ``disc`` are written as given: ``"3/12"`` is how most taggers write them."""
    path = Path(path) if not isinstance(path, bytes) else path
    with open(path, "wb") as handle:
        handle.write((FRAME_HEADER + bytes(FRAME_LENGTH - 4)) * frames)
    tags = ID3()
    frames_and_values = (
        (TIT2, title), (TPE1, artist), (TALB, album), (TDRC, str(year) if year else None), (TPE2, album_artist),
        (TRCK, str(track) if track is not None else None), (TPOS, str(disc) if disc is not None else None), (TCON, genre),
    )
    for frame, value in frames_and_values:
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


# --- Lossless containers that carry ID3 in a chunk of their own (WAV, AIFF, DSF) -----------------


def write_wav(path, *, seconds=1, rate=8000, salt=""):
    """A mono 16-bit PCM WAV of silence (``salt`` bytes at the end vary the content)."""
    import wave

    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(rate)
        salted = str(salt).encode()
        audio.writeframes(bytes(2 * rate * seconds) + salted + bytes(len(salted) % 2))
    return path


def _extended(rate):
    """An IEEE 754 80-bit extended float of a whole number, as AIFF's COMM chunk wants it."""
    exponent = rate.bit_length() - 1
    return struct.pack(">HQ", 16383 + exponent, rate << (63 - exponent))


def write_aiff(path, *, seconds=1, rate=8000, salt=""):
    """A mono 16-bit AIFF of silence, written chunk by chunk (FORM, COMM, SSND)."""
    frames = rate * seconds + len(str(salt))
    samples = bytes(2 * rate * seconds) + b"".join(bytes([ord(c) % 256, 0]) for c in str(salt))
    comm = struct.pack(">hIh", 1, frames, 16) + _extended(rate)
    ssnd = struct.pack(">II", 0, 0) + samples
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    Path(path).write_bytes(b"FORM" + struct.pack(">I", len(body)) + body)
    return path


def write_dsf(path, *, seconds=1, salt=""):
    """A stereo 1-bit DSD64 DSF (DSD, fmt and data chunks, as the DSF specification lays them out)."""
    rate, channels, block = 2822400, 2, 4096
    samples = rate * seconds
    blocks = -(-samples // (8 * block))
    data = (bytes([0x69]) * (block * channels * blocks - len(str(salt)))) + str(salt).encode()
    fmt = struct.pack("<IIIIIIQII", 1, 0, 2, channels, rate, 1, samples, block, 0)
    chunks = b"fmt " + struct.pack("<Q", 12 + len(fmt)) + fmt + b"data" + struct.pack("<Q", 12 + len(data)) + data
    total = 28 + len(chunks)
    Path(path).write_bytes(b"DSD " + struct.pack("<QQQ", 28, total, 0) + chunks)
    return path


def tag_id3(path, *, title=None, artist=None, album=None, year=None, track=None):
    """ID3v2 frames written by mutagen into the file's own ID3 chunk (``id3 `` in WAV, ``ID3 `` in
    AIFF, the metadata pointer of DSF), as taggers such as Mp3tag and foobar2000 do."""
    import mutagen
    from mutagen.id3 import TRCK

    media = mutagen.File(path)
    if media.tags is None:
        media.add_tags()
    for frame, value in ((TIT2, title), (TPE1, artist), (TALB, album), (TDRC, str(year) if year else None), (TRCK, track)):
        if value:
            media.tags.add(frame(encoding=3, text=value))
    media.save()
    return path
