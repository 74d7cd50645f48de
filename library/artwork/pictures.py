"""Deciding whether bytes are a picture worth keeping: decoded with Pillow, within limits.

A library file is written by anyone, so its picture is hostile until Pillow has decoded it whole:
a decompression bomb (a small PNG that unpacks to gigapixels) is refused from its header, before
any pixel is decoded; a truncated or corrupt image fails the full decode; an oversized blob is
refused before Pillow sees it. What passes is kept as it came when it is a JPEG, PNG, GIF or
WebP, and re-encoded as PNG otherwise (BMP, TIFF), so browsers and players can show it.
"""

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

#: Larger pictures are refused unread; real covers are a few hundred KiB.
MAX_PICTURE_BYTES = 16 * 1024 * 1024
#: Larger images are refused from their header: 25 megapixels (5000×5000; Pillow warns at 89).
MAX_PIXELS = 25_000_000
#: Formats kept as they came, with the MIME type they are served as.
KEPT_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp"}

# Pillow's own bomb check, below our header check, for any code path that opens images itself.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class Unusable(Exception):
    """The bytes are not a picture the engine will keep; the message says why, for the scan."""


@dataclass(frozen=True)
class Picture:
    """A verified picture: its bytes, MIME type and pixel size, and where it was found."""

    data: bytes
    mime_type: str
    width: int
    height: int
    source: str


def verified(data, source):
    """A :class:`Picture` of ``data``, or :class:`Unusable` with the reason."""
    if len(data) > MAX_PICTURE_BYTES:
        raise Unusable(f"{source} picture is larger than {MAX_PICTURE_BYTES // (1024 * 1024)} MiB")
    if not data:
        raise Unusable(f"{source} picture is empty")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > MAX_PIXELS:
                raise Unusable(f"{source} picture is {width}×{height} pixels, more than {MAX_PIXELS // 1_000_000} megapixels")
            image_format = image.format
            image.load()
            if image_format not in KEPT_FORMATS:
                data, image_format = _as_png(image), "PNG"
    except Unusable:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise Unusable(f"{source} picture is not a readable image ({error.__class__.__name__})") from None
    except (OSError, ValueError, SyntaxError, EOFError) as error:  # truncated, corrupt
        raise Unusable(f"{source} picture could not be decoded: {str(error)[:120] or error.__class__.__name__}") from None
    return Picture(data=data, mime_type=KEPT_FORMATS[image_format], width=width, height=height, source=source)


def _as_png(image):
    buffer = io.BytesIO()
    image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB").save(buffer, "PNG")
    return buffer.getvalue()
