"""What a scan learns from one open file: whether it is media, its content hash, what it says.

This runs in a sandboxed worker process (``library.ingestion.sandbox``), on a descriptor the scan
opened inside the library root, so nothing here opens a path. It imports no Django and returns
plain data (dicts of text and numbers): the parsers it calls (``detect``, ``tags`` and the
modules they use) are plain functions of an open file, and whatever they do to the worker stays
in the worker.
"""

import dataclasses
import errno
import os
import stat

from library.artwork import extract
from library.ingestion import detect
from library.ingestion.hashing import fingerprint
from library.ingestion.koreader import DOCUMENT_CATEGORIES, partial_md5
from library.ingestion.tags import TagError, read_embedded

MEDIA, NOT_MEDIA, FAILED = "media", "not_media", "failed"


class MemoryLimitReached(Exception):
    """A parser ran out of the worker's address space, even if it reported something else."""


def failed(reason):
    return {"outcome": FAILED, "reason": reason}


def reason_for(error):
    """The failure sentence for an ``OSError`` met opening or reading a file."""
    if isinstance(error, PermissionError):
        return "permission denied"
    if error.errno == errno.ELOOP:
        return "symbolic link loop"
    return f"unreadable: {error.strerror or error}"


def inspect(fd, name, hashed=lambda: None, parse_options=None, sidecar=None):
    """What the file open as ``fd`` (named ``name``, bytes) is; ``hashed()`` is called between
    hashing it and parsing it (the reader's limits change there); ``parse_options`` are the
    keyword arguments of ``tags.read_embedded`` (plain data the scan chose, such as a prober);
    ``sidecar`` is ``(descriptor, name)`` of the folder's cover picture, if it has one.

    ``{"outcome": "media", "category", "mime_type", "content_hash", "size", "mtime_ns", "tags",
    "tag_error", "artwork", "artwork_problem"}`` (``artwork``: a verified picture as a dict of
    :class:`~library.artwork.pictures.Picture`'s fields, or None; ``artwork_problem``: why a
    picture found was refused); ``{"outcome": "not_media"}`` when its content is no media format (the
    caller decides whether that is worth a failure); ``{"outcome": "failed", "reason"}``.
    Unreadable tags are not a failure: the file is taken in by its name (``tag_error`` says why).
    """
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return failed("not a regular file (a pipe, socket or device)")
    if info.st_size == 0:
        return failed("empty file (0 bytes)")
    head = os.pread(fd, detect.SNIFF_BYTES, 0)
    media_type = detect.identify(os.fsdecode(name), head)
    if media_type is None:
        return {"outcome": NOT_MEDIA}
    content_hash, size = fingerprint(fd)
    koreader_digest = partial_md5(fd) if media_type.category in DOCUMENT_CATEGORIES else ""
    hashed()
    tag_error = ""
    try:
        with os.fdopen(os.dup(fd), "rb") as stream:
            tags = read_embedded(stream, media_type, **(parse_options or {}))
    except TagError as error:
        if _ran_out_of_memory(error):
            raise MemoryLimitReached() from error
        tags, tag_error = {}, str(error)[:300]
    except (MemoryError, OSError):
        raise
    except Exception as error:  # a parser's own bug must not cost the file its place in the library
        tags, tag_error = {}, f"the parser failed ({type(error).__name__})"
    artwork = _artwork(fd, media_type, sidecar)
    return {
        "outcome": MEDIA,
        "category": media_type.category,
        "mime_type": media_type.mime_type,
        "content_hash": content_hash,
        "koreader_digest": koreader_digest,
        "size": size,
        "mtime_ns": info.st_mtime_ns,
        "device": info.st_dev,
        "inode": info.st_ino,
        "tags": tags,
        "tag_error": tag_error,
        "artwork": dataclasses.asdict(artwork.picture) if artwork.picture is not None else None,
        "artwork_problem": artwork.problem,
    }


def _artwork(fd, media_type, sidecar):
    """The file's own picture, else its folder's; a subtitle is text beside a video, with no
    picture of its own and none of its folder's."""
    if media_type.category == detect.SUBTITLE:
        return extract.NOTHING
    own = extract.fd_artwork(fd, media_type.mime_type)
    if own.picture is not None or sidecar is None:
        return own
    folder = extract.sidecar_artwork(sidecar[0], os.fsdecode(sidecar[1]))
    if folder.picture is not None:
        return folder
    return extract.ArtworkResult(problem=own.problem or folder.problem)


def _ran_out_of_memory(error):
    """Parsers wrap what they meet (mutagen turns any exception into its own): look down the chain."""
    while error is not None:
        if isinstance(error, MemoryError):
            return True
        error = error.__cause__ or error.__context__
    return False
