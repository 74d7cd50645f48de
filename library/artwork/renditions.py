"""The artwork at the size a client asks: the original, or a thumbnail whose longest side is it.

Thumbnails are cached only at :data:`CACHED_SIZES`, so a client stepping through every pixel
value cannot fill the disk: any other size is made from the next cached size up (or the
original) each time it is asked, which the streaming rate limit keeps in bounds. Nothing is
enlarged: a size at or above the original's longest side gives the original.
"""

import io
from dataclasses import dataclass

from PIL import Image

from library.artwork import store

CACHED_SIZES = (64, 128, 256, 512, 1024)
MAX_SIZE = 2048
JPEG_QUALITY = 85


@dataclass(frozen=True)
class Rendition:
    data: bytes
    mime_type: str


def natural(artwork, size):
    """The size actually served: None (the original) when none is asked or it is not smaller."""
    if size is None or size >= max(artwork.width, artwork.height):
        return None
    return size


def etag(artwork, size):
    """The ETag of a rendition, known without making it: it names the picture and the size."""
    size = natural(artwork, size)
    return f'"{artwork.content_hash}"' if size is None else f'"{artwork.content_hash}-{size}"'


def mime_type(artwork, size):
    """The media type of the rendition at ``size``, known without making it."""
    return artwork.mime_type if natural(artwork, size) is None else _thumbnail_mime(artwork.mime_type)


def rendition(artwork, size):
    size = natural(artwork, size)
    if size is None:
        return Rendition(store.read_original(artwork), artwork.mime_type)
    if size in CACHED_SIZES:
        return _cached(artwork, size)
    larger = next((cached for cached in CACHED_SIZES if cached > size), None)
    if larger is not None and natural(artwork, larger) is not None:
        source = _cached(artwork, larger)
    else:
        source = Rendition(store.read_original(artwork), artwork.mime_type)
    return _resized(source.data, size, artwork.mime_type)


def _thumbnail_mime(mime_type):
    # A JPEG has no transparency to keep; anything else may, and PNG keeps it.
    return "image/jpeg" if mime_type == "image/jpeg" else "image/png"


def _cached(artwork, size):
    mime_type = _thumbnail_mime(artwork.mime_type)
    path = store.artwork_root() / "thumbnails" / artwork.content_hash[:2] / f"{artwork.content_hash}-{size}{store.EXTENSIONS[mime_type]}"
    try:
        return Rendition(path.read_bytes(), mime_type)
    except FileNotFoundError:
        made = _resized(store.read_original(artwork), size, artwork.mime_type)
        store.write_atomically(path, made.data)
        return made


def _resized(data, size, original_mime):
    mime_type = _thumbnail_mime(original_mime)
    with Image.open(io.BytesIO(data)) as image:
        if image.format == "JPEG":
            image.draft("RGB", (size, size))  # decode at the nearest DCT scale: less memory, less time
        image = image.convert("RGB" if mime_type == "image/jpeg" else "RGBA")
        image.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = io.BytesIO()
        if mime_type == "image/jpeg":
            image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
        else:
            image.save(buffer, "PNG", optimize=True)
    return Rendition(buffer.getvalue(), mime_type)
