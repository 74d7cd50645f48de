"""Keeping verified pictures: one file per content hash under ``DATA_DIR/artwork``, one row each.

The file is written before its row (to a temporary name, then renamed), so a row always has its
file and two scans storing the same cover at once write it once. Files are private to the
engine's user (0600), as the rest of the data directory.
"""

import hashlib
import os
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from library.models import Artwork

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


def artwork_root():
    return Path(settings.MEDIA_ENGINE["DATA_DIR"]) / "artwork"


def original_path(content_hash, mime_type):
    return artwork_root() / "originals" / content_hash[:2] / f"{content_hash}{EXTENSIONS[mime_type]}"


def write_atomically(path, data):
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def store(picture):
    """The :class:`Artwork` of a verified :class:`~library.artwork.pictures.Picture`."""
    content_hash = hashlib.sha256(picture.data).hexdigest()
    path = original_path(content_hash, picture.mime_type)
    if not path.exists():
        write_atomically(path, picture.data)
    fields = {"mime_type": picture.mime_type, "width": picture.width, "height": picture.height, "size": len(picture.data)}
    try:
        with transaction.atomic():
            artwork, _ = Artwork.objects.get_or_create(content_hash=content_hash, defaults=fields)
    except IntegrityError:  # stored by a concurrent scan a moment ago
        artwork = Artwork.objects.get(content_hash=content_hash)
    return artwork


def read_original(artwork):
    return original_path(artwork.content_hash, artwork.mime_type).read_bytes()
