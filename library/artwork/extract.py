"""Finding a file's cover art: plain functions of a path returning plain, picklable data.

:func:`file_artwork` looks inside the file: ID3 ``APIC`` frames (MP3, and WAV/AIFF with ID3),
MP4 ``covr`` atoms, FLAC picture blocks and Vorbis/Opus ``METADATA_BLOCK_PICTURE`` comments,
APEv2 cover items, the cover an EPUB's OPF names, the first image of a CBZ. :func:`folder_artwork`
looks beside it for a sidecar (``cover.jpg``, ``folder.png``…). A scan asks the file first, then
its folder: a file's own picture is the most specific, and a folder of books or an album with
per-track art keeps it. Each answers an :class:`ArtworkResult`: a verified picture, nothing, or
why the picture found was refused. Nothing here raises for a bad file.
"""

import base64
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass
from urllib.parse import unquote

import mutagen
from mutagen.apev2 import APEv2
from mutagen.flac import Picture as FlacPicture
from mutagen.id3 import ID3
from mutagen.mp4 import MP4Tags
from mutagen._vorbis import VCommentDict

from library.artwork.pictures import MAX_PICTURE_BYTES, Picture, Unusable, verified
from library.ingestion import epub
from library.ingestion.tags import MAX_TAG_BYTES, declared_id3_size

#: Sidecar names in order of preference (case ignored), with the extensions tried for each.
SIDECAR_NAMES = ("cover", "folder", "front", "album", "albumart", "albumartlarge", "poster", "thumb")
SIDECAR_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".gif")
IMAGE_EXTENSIONS = frozenset(SIDECAR_EXTENSIONS + (".bmp",))
#: ID3 picture type 3 is the front cover; others (artist photos, the back) come after it.
FRONT_COVER = 3
#: How many directory entries a folder may have for its sidecar to be looked for (a folder of
#: thousands of files is not an album folder, and listing it per file would cost).
MAX_LISTED_ENTRIES = 10_000
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class ArtworkResult:
    """A verified picture; or none, with ``problem`` saying why a picture found was refused."""

    picture: Picture | None = None
    problem: str = ""


NOTHING = ArtworkResult()


def file_artwork(path, mime_type, *, follow_symlinks=False):
    """The picture inside the file at ``path`` (a media file of ``mime_type``)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    if _finder(mime_type) is None:
        return NOTHING
    try:
        fd = os.open(path, flags)
    except OSError as error:
        return ArtworkResult(problem=f"file could not be opened for its picture: {error.strerror or error}")
    try:
        return fd_artwork(fd, mime_type)
    finally:
        os.close(fd)


def fd_artwork(fd, mime_type):
    """The picture inside the file open as ``fd`` (the caller keeps and closes it): what a scan's
    reader process calls, on the descriptor the scan opened."""
    finder = _finder(mime_type)
    if finder is None:
        return NOTHING
    with os.fdopen(os.dup(fd), "rb") as stream:
        try:
            found = finder(stream)
        except Unusable as error:
            return ArtworkResult(problem=str(error))
        except MemoryError:
            raise  # the reader's limit: the reader ends, the file is reported
        except Exception as error:  # a parser meeting a damaged file: no artwork, not a failed scan
            return ArtworkResult(problem=f"picture unreadable ({error.__class__.__name__}: {str(error)[:120]})")
    if found is None:
        return NOTHING
    return _verified(*found)


def sidecar_name(names):
    """Which of a folder's entry names (str or bytes) is its sidecar picture, by
    :data:`SIDECAR_NAMES`; None when there is none, or the folder has too many entries to be an
    album's."""
    by_lower = {}
    for count, name in enumerate(names):
        if count >= MAX_LISTED_ENTRIES:
            return None
        by_lower.setdefault(os.fsdecode(name).lower(), name)
    for stem in SIDECAR_NAMES:
        for extension in SIDECAR_EXTENSIONS:
            if stem + extension in by_lower:
                return by_lower[stem + extension]
    return None


def folder_artwork(directory):
    """The sidecar picture in ``directory`` (str or bytes), by :data:`SIDECAR_NAMES`."""
    try:
        name = sidecar_name(os.listdir(directory))
    except OSError:
        return NOTHING
    if name is None:
        return NOTHING
    try:
        fd = os.open(os.path.join(directory, name), os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        return ArtworkResult(problem=f"sidecar {os.fsdecode(name)} could not be opened: {error.strerror or error}")
    try:
        return sidecar_artwork(fd, os.fsdecode(name))
    finally:
        os.close(fd)


def sidecar_artwork(fd, name):
    """The picture of the sidecar open as ``fd`` (opened without following links: a link to
    ``/etc/shadow`` is no cover), which must be a regular file of a sane size."""
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        return ArtworkResult(problem=f"sidecar {name} is not a regular file")
    if info.st_size > MAX_PICTURE_BYTES:
        return ArtworkResult(problem=f"sidecar {name} is larger than {MAX_PICTURE_BYTES // (1024 * 1024)} MiB")
    data = os.pread(fd, MAX_PICTURE_BYTES + 1, 0)
    return _verified(data, f"sidecar {name}")


def _verified(data, source):
    try:
        return ArtworkResult(picture=verified(data, source))
    except Unusable as error:
        return ArtworkResult(problem=str(error))


def _finder(mime_type):
    if mime_type == "application/epub+zip":
        return _epub_cover
    if mime_type == "application/vnd.comicbook+zip":
        return _first_comic_page
    if mime_type.startswith(("audio/", "video/")):
        return _tag_picture
    return None


# --- pictures in tags ----------------------------------------------------------------------------


def _tag_picture(stream):
    """``(bytes, source)`` of the best picture in the file's tags, or None."""
    _refuse_oversized_id3(stream)
    media = mutagen.File(stream)
    if media is None:
        return None
    pictures = list(getattr(media, "pictures", None) or [])  # FLAC picture blocks
    tags = media.tags
    if tags is not None:
        pictures += _id3_pictures(tags) + _vorbis_pictures(tags)
        covers = _mp4_covers(tags)
        if covers:
            return covers[0], "embedded (MP4 covr)"
        ape = _ape_cover(tags)
        if ape is not None:
            return ape, "embedded (APEv2)"
    if not pictures:
        return None
    best = min(pictures, key=lambda picture: 0 if picture.type == FRONT_COVER else 1)
    return bytes(best.data), "embedded"


def _refuse_oversized_id3(stream):
    """An ID3v2 tag states its size in its first ten bytes: one bigger than any picture we keep
    is refused before mutagen reads it into memory (a 100 MB "cover" in an MP3)."""
    size = declared_id3_size(stream)
    if size is not None and size > MAX_TAG_BYTES:
        raise Unusable(f"embedded tags are {size // (1024 * 1024)} MiB, larger than any picture kept")


def _id3_pictures(tags):
    return list(tags.getall("APIC")) if isinstance(tags, ID3) else []


def _vorbis_pictures(tags):
    """Pictures in Vorbis comments (Ogg Vorbis, Opus, FLAC): base64 FLAC picture blocks."""
    if not isinstance(tags, VCommentDict):
        return []
    pictures = []
    for text in tags.get("metadata_block_picture") or []:
        if len(text) > MAX_PICTURE_BYTES * 4 // 3 + 4:
            raise Unusable("embedded picture is larger than 16 MiB")
        try:
            pictures.append(FlacPicture(base64.b64decode(text)))
        except (ValueError, TypeError, mutagen.MutagenError):
            continue
    return pictures


def _mp4_covers(tags):
    return [bytes(cover) for cover in tags.get("covr") or []] if isinstance(tags, MP4Tags) else []


def _ape_cover(tags):
    if not isinstance(tags, APEv2):
        return None
    item = tags.get("Cover Art (Front)")
    if item is None:
        return None
    # An APEv2 binary cover is "<file name>\0<image bytes>".
    _, _, data = bytes(item.value).partition(b"\0")
    return data


# --- pictures in archives ------------------------------------------------------------------------


def _member(archive, name, source):
    """A member's bytes, read at most :data:`MAX_PICTURE_BYTES` + 1 whatever its header claims."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PICTURE_BYTES:
        raise Unusable(f"{source} picture is larger than {MAX_PICTURE_BYTES // (1024 * 1024)} MiB")
    with archive.open(info) as member:
        data = member.read(MAX_PICTURE_BYTES + 1)
    if len(data) > MAX_PICTURE_BYTES:
        raise Unusable(f"{source} picture is larger than {MAX_PICTURE_BYTES // (1024 * 1024)} MiB")
    return data


def _epub_cover(stream):
    """The cover the OPF names: EPUB 3's ``properties="cover-image"`` item, EPUB 2's
    ``<meta name="cover" content="item-id">``, else an image item whose id or file says cover."""
    try:
        with zipfile.ZipFile(stream) as archive:
            opf_path, package = epub.package_document(archive)
            href = _cover_href(package)
            if href is None:
                return None
            name = posixpath.normpath(posixpath.join(posixpath.dirname(opf_path), unquote(href.split("#")[0])))
            if name.startswith("../") or name.startswith("/"):
                raise Unusable("EPUB cover lies outside the book")
            return _member(archive, name, "EPUB cover"), "EPUB cover"
    except (*epub.ARCHIVE_ERRORS, epub.EpubError) as error:
        raise Unusable(f"EPUB cover unreadable: {str(error)[:120] or error.__class__.__name__}") from None


def _cover_href(package):
    manifest = next((el for el in package if epub.local_name(el.tag) == "manifest"), None)
    metadata = next((el for el in package if epub.local_name(el.tag) == "metadata"), None)
    if manifest is None:
        return None
    items = [el for el in manifest if epub.local_name(el.tag) == "item"]
    for item in items:
        if "cover-image" in (item.get("properties") or "").split():
            return item.get("href")
    cover_id = None
    for element in metadata if metadata is not None else []:
        if epub.local_name(element.tag) == "meta" and element.get("name") == "cover":
            cover_id = element.get("content")
    for item in items:
        if cover_id is not None and item.get("id") == cover_id:
            return item.get("href")
    for item in items:
        if (item.get("media-type") or "").startswith("image/") and "cover" in f"{item.get('id')} {item.get('href')}".lower():
            return item.get("href")
    return None


def _natural(name):
    """``page2`` before ``page10``, as readers order pages."""
    return [int(part) if part.isdigit() else part.lower() for part in _DIGITS.split(name)]


def _first_comic_page(stream):
    try:
        with zipfile.ZipFile(stream) as archive:
            pages = [
                info.filename for info in archive.infolist()
                if not info.is_dir()
                and os.path.splitext(info.filename)[1].lower() in IMAGE_EXTENSIONS
                and not any(part.startswith((".", "__MACOSX")) for part in info.filename.split("/"))
            ]
            if not pages:
                return None
            first = min(pages, key=_natural)
            return _member(archive, first, "comic page"), f"comic page {first[:100]}"
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError) as error:
        raise Unusable(f"comic pages unreadable: {str(error)[:120] or error.__class__.__name__}") from None
