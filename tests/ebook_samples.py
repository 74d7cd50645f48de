"""A small real library for e-reader tests: EPUBs built as readers expect them (``mimetype``
first and stored, ``META-INF/container.xml``, an OPF naming its cover), a one-page PDF written
by hand (header, objects, cross-reference table, trailer) and a CBZ of JPEG pages."""

import io
import zipfile
import zlib

from PIL import Image, ImageDraw

from tests.media_samples import CONTAINER

OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">
    <dc:identifier id="id">urn:uuid:{uid}</dc:identifier>
    <dc:title>{title}</dc:title>
    <dc:creator>{author}</dc:creator>
    <dc:date>{year}</dc:date>
    <dc:language>{language}</dc:language>
    <meta name="calibre:series" content="{series}"/>
  </metadata>
  <manifest>
    <item id="cover" href="images/cover.jpg" media-type="image/jpeg" properties="cover-image"/>
    <item id="chapter" href="chapter.xhtml" media-type="application/xhtml+xml"/>
  </manifest>
  <spine><itemref idref="chapter"/></spine>
</package>"""
CHAPTER = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>{title}</title></head>
<body><h1>{title}</h1><p>{text}</p></body></html>"""


def jpeg(width, height, color):
    image = Image.new("RGB", (width, height), color)
    ImageDraw.Draw(image).rectangle((width // 8, height // 8, width - width // 8, height // 4), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def write_book(path, *, title, author, year=2001, series="", language="en", color=(30, 60, 120)):
    """An EPUB 3 with a 600×900 JPEG cover named by ``properties="cover-image"``."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/container.xml", CONTAINER.replace("OEBPS/content.opf", "OEBPS/package.opf"))
        archive.writestr("OEBPS/package.opf", OPF.format(uid=zlib.crc32(title.encode()), title=title, author=author, year=year, language=language, series=series))
        archive.writestr("OEBPS/images/cover.jpg", jpeg(600, 900, color))
        archive.writestr("OEBPS/chapter.xhtml", CHAPTER.format(title=title, text=f"The first page of {title}. " * 40))
    return path


def write_pdf(path, *, title):
    """A valid one-page PDF with ``title`` in its Info dictionary and on the page."""
    stream = f"BT /F1 24 Tf 72 720 Td ({title}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) >>".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def write_comic(path, *, pages=3, color=(150, 20, 20)):
    """A CBZ of ``pages`` JPEG pages; the first one is its cover."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for number in range(1, pages + 1):
            archive.writestr(f"page{number:03d}.jpg", jpeg(800, 1200, tuple(min(255, part + 20 * number) for part in color)))
    return path
