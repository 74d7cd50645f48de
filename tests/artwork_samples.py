"""Real files with cover art for the artwork tests: pictures drawn with Pillow, put into real
MP3 (ID3 APIC), M4A (covr), FLAC (picture block) and Ogg Vorbis (METADATA_BLOCK_PICTURE) files
with mutagen, EPUBs whose OPF names a cover, CBZs, sidecar images; and hostile pictures.

The containers are the smallest files mutagen and the scanner recognise (headers, no audio): the
pictures are what the tests are about.
"""

import base64
import io
import struct
import zipfile
import zlib

from mutagen.flac import FLAC, Picture as FlacPicture
from mutagen.id3 import APIC, ID3
from mutagen.mp4 import MP4, MP4Cover
from mutagen.ogg import OggPage
from mutagen.oggvorbis import OggVorbis
from PIL import Image, ImageDraw

from tests.media_samples import CONTAINER, write_mp3


def picture(width=600, height=600, *, color=(200, 40, 40), image_format="JPEG"):
    """A picture with a diagonal, so a resize has something to resample."""
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).line((0, 0, width, height), fill=(255, 255, 255), width=max(1, width // 50))
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def decoded(data):
    """``(format, width, height)`` of image bytes, as Pillow reads them."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.format, image.width, image.height


def mp3_with_picture(path, data, *, mime="image/jpeg", picture_type=3, title="Covered", salt="", extra_pictures=()):
    write_mp3(path, title=title, artist="Band", album="Album", salt=salt)
    tags = ID3(path)
    for extra_type, extra in extra_pictures:
        tags.add(APIC(encoding=3, mime="image/jpeg", type=extra_type, desc=f"extra {extra_type}", data=extra))
    tags.add(APIC(encoding=3, mime=mime, type=picture_type, desc="Cover", data=data))
    tags.save(path)
    return path


def _atom(name, body):
    return struct.pack(">I", 8 + len(body)) + name + body


def m4a_with_picture(path, data, *, title="Covered M4A"):
    mvhd = _atom(b"mvhd", bytes(12) + struct.pack(">II", 1000, 5000) + struct.pack(">IH", 0x00010000, 0x0100) + bytes(70) + struct.pack(">I", 2))
    mdhd = _atom(b"mdhd", bytes(12) + struct.pack(">II", 44100, 44100 * 5) + bytes(4))
    hdlr = _atom(b"hdlr", bytes(8) + b"soun" + bytes(12) + b"\0")
    body = _atom(b"ftyp", b"M4A " + bytes(4) + b"M4A isom") + _atom(b"moov", mvhd + _atom(b"trak", _atom(b"mdia", mdhd + hdlr)))
    with open(path, "wb") as handle:
        handle.write(body + _atom(b"mdat", bytes(64)))
    media = MP4(path)
    media["\xa9nam"] = [title]
    media["covr"] = [MP4Cover(data, imageformat=MP4Cover.FORMAT_PNG if data.startswith(b"\x89PNG") else MP4Cover.FORMAT_JPEG)]
    media.save()
    return path


def _flac_picture(data, mime):
    block = FlacPicture()
    block.type, block.mime, block.desc, block.data = 3, mime, "Cover", data
    with Image.open(io.BytesIO(data)) as image:
        block.width, block.height, block.depth = image.width, image.height, 24
    return block


def flac_with_picture(path, data, *, mime="image/png", title="Covered FLAC"):
    # STREAMINFO: block sizes 4096, frame sizes unknown, 44.1 kHz, 2 channels, 16 bits, 5 s.
    packed = (44100 << 44) | (1 << 41) | (15 << 36) | (44100 * 5)
    streaminfo = struct.pack(">HH", 4096, 4096) + bytes(6) + packed.to_bytes(8, "big") + bytes(16)
    with open(path, "wb") as handle:
        handle.write(b"fLaC" + bytes([0x80]) + len(streaminfo).to_bytes(3, "big") + streaminfo)
    media = FLAC(path)
    media["title"] = [title]
    media.add_picture(_flac_picture(data, mime))
    media.save()
    return path


def ogg_with_picture(path, data, *, mime="image/png", title="Covered Ogg"):
    ident = b"\x01vorbis" + struct.pack("<IBIiii", 0, 2, 44100, 0, 128000, 0) + bytes([0xB8, 0x01])
    comment = b"\x03vorbis" + struct.pack("<I", 6) + b"engine" + struct.pack("<I", 0) + b"\x01"
    pages = []
    for sequence, packets, position in ((0, [ident], 0), (1, [comment, b"\x05vorbis" + bytes(40)], 0), (2, [bytes(100)], 44100 * 3)):
        page = OggPage()
        page.serial, page.sequence, page.packets, page.position = 7, sequence, packets, position
        page.first, page.last = sequence == 0, sequence == 2
        pages.append(page.write())
    with open(path, "wb") as handle:
        handle.write(b"".join(pages))
    media = OggVorbis(path)
    media["title"] = [title]
    media["metadata_block_picture"] = [base64.b64encode(_flac_picture(data, mime).write()).decode("ascii")]
    media.save()
    return path


COVERED_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:1</dc:identifier><dc:title>{title}</dc:title><dc:creator>Writer</dc:creator>
    {meta}
  </metadata>
  <manifest>
    <item id="decoy" href="images/decoy.jpg" media-type="image/jpeg"/>
    <item id="{cover_id}" href="{href}" media-type="image/jpeg"{properties}/>
    <item id="text" href="text.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="text"/></spine>
</package>"""


def epub_with_cover(path, cover, *, title="Covered Book", epub3=True, decoy=None):
    """An EPUB whose OPF (in ``OEBPS/``) names ``Images/Cover%20Art.jpg`` as its cover: by
    ``properties="cover-image"`` (EPUB 3) or ``<meta name="cover">`` (EPUB 2)."""
    opf = COVERED_OPF.format(
        version="3.0" if epub3 else "2.0", title=title, cover_id="cover-art", href="Images/Cover%20Art.jpg",
        meta="" if epub3 else '<meta name="cover" content="cover-art"/>',
        properties=' properties="cover-image"' if epub3 else "",
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER)
        archive.writestr("OEBPS/content.opf", opf)
        archive.writestr("OEBPS/Images/Cover Art.jpg", cover)
        archive.writestr("OEBPS/images/decoy.jpg", decoy or picture(50, 50, color=(0, 0, 0)))
        archive.writestr("OEBPS/text.xhtml", "<html/>")
    return path


def cbz(path, pages):
    """A comic archive of ``{name: bytes}`` pages, written in the order given."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in pages.items():
            archive.writestr(name, data)
    return path


def decompression_bomb_png(width=20000, height=20000):
    """A real PNG of ``width``×``height`` black pixels: a few hundred KiB that unpack to 400 MB."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # filter byte + one grey byte per pixel
    rows_per_block = max(1, (1 << 20) // len(row))
    compressed = []
    for start in range(0, height, rows_per_block):
        compressed.append(compressor.compress(row * min(rows_per_block, height - start)))
    compressed.append(compressor.flush())
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(compressed)) + chunk(b"IEND", b"")


def truncated_jpeg():
    whole = picture(800, 800)
    return whole[: len(whole) // 2]
