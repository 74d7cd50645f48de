"""Hostile files a library may hold, generated small and fast: a zip bomb posing as an EPUB and an
MP3 whose ID3 tag holds hundreds of thousands of frames.

Both are what a downloaded "book" or "track" can be; neither may stall a scan, bloat the server or
keep the rest of its folder out of the library.
"""

import struct
import zlib

from tests.media_samples import CONTAINER, FRAME_HEADER, FRAME_LENGTH

GIB = 1024**3


def _deflated_zeros(expanded):
    """A raw deflate stream of ``expanded`` zero bytes, built without compressing them all.

    After a full flush the compressor's output for the same block repeats byte for byte, so one
    compressed 16 MiB block is written as often as needed: about 1 KB of output per MB of zeros.
    """
    block = bytes(16 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    count = max(1, expanded // len(block))
    return first + repeated * (count - 1) + compressor.flush(zlib.Z_FINISH)


def _zip(entries):
    """A zip archive of ``(name, method, payload, declared_size, crc)`` written by hand, so an
    entry can state a size its data does not have."""
    body, directory = bytearray(), bytearray()
    for name, method, payload, declared, crc in entries:
        encoded = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(payload), declared, len(encoded), 0)
        body += encoded + payload
        directory += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(payload), declared,
            len(encoded), 0, 0, 0, 0, 0, offset,
        )
        directory += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), len(body), 0)
    return bytes(body + directory + end)


def write_zip_bomb_epub(path, *, expands_to=GIB, declared_size=4096):
    """A ~1 MB EPUB whose package document claims ``declared_size`` bytes and inflates to
    ``expands_to``: every check of the declared size passes, and reading it does not stop there."""
    mimetype = b"application/epub+zip"
    container = CONTAINER.encode()
    compressed_container = zlib.compress(container)[2:-4]
    bomb = _deflated_zeros(expands_to)
    archive = _zip([
        ("mimetype", 0, mimetype, len(mimetype), zlib.crc32(mimetype)),
        ("META-INF/container.xml", 8, compressed_container, len(container), zlib.crc32(container)),
        ("OEBPS/content.opf", 8, bomb, declared_size, 0),
    ])
    with open(path, "wb") as handle:
        handle.write(archive)
    return path


def _syncsafe(number):
    return bytes([(number >> 21) & 0x7F, (number >> 14) & 0x7F, (number >> 7) & 0x7F, number & 0x7F])


def write_id3_flood_mp3(path, *, frames=800_000, audio_frames=40):
    """An MP3 whose ID3v2.4 tag holds ``frames`` user-text frames, each with its own description
    (~14 MB at 800,000): parsing them costs mutagen minutes of CPU."""
    tag = bytearray()
    for number in range(frames):
        data = b"\x03" + b"d%d\x00v" % number
        tag += b"TXXX" + _syncsafe(len(data)) + b"\x00\x00" + data
    with open(path, "wb") as handle:
        handle.write(b"ID3\x04\x00\x00" + _syncsafe(len(tag)))
        handle.write(tag)
        handle.write((FRAME_HEADER + bytes(FRAME_LENGTH - 4)) * audio_frames)
    return path
