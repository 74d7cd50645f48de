"""What a catalog entry says about a work, for both renderings: names, files, pictures."""

from dataclasses import dataclass

from library.artwork import renditions
from library.opds.feeds import ROOT

ACQUISITION_REL = "http://opds-spec.org/acquisition"
IMAGE_REL = "http://opds-spec.org/image"
THUMBNAIL_REL = "http://opds-spec.org/image/thumbnail"
SERIES_SCHEME = "urn:media-engine:series"
#: Longest side of the thumbnails the catalog links to: a cover in a KOReader or Thorium list,
#: and one of the sizes the artwork keeps made (``library.artwork.renditions.CACHED_SIZES``).
THUMBNAIL_SIZE = 256


@dataclass(frozen=True)
class FileLink:
    href: str
    type: str
    length: int
    title: str


@dataclass(frozen=True)
class Picture:
    rel: str
    href: str
    type: str


def title(work):
    return work.title or f"Untitled ({work.pk})"


def authors(work):
    """The author, else the artist (an audiobook's reader may be its only name)."""
    name = work.author or work.artist
    return [name] if name else []


def _metadata(work, field):
    value = (work.metadata or {}).get(field)
    return str(value) if value not in (None, "") else ""


def language(work):
    return _metadata(work, "language")


def publisher(work):
    return _metadata(work, "publisher")


def description(work):
    return _metadata(work, "description")


def download_path(asset_id):
    """The file of an asset as the catalog serves it (``security.routes.OPDS_STREAM_PATH``)."""
    return f"{ROOT}stream/{int(asset_id)}"


def files(work):
    """Acquisition links: each present file of the work, its media type and size."""
    return [
        FileLink(href=download_path(asset.pk), type=asset.mime_type, length=asset.size, title=asset.mime_type)
        for asset in getattr(work, "files", ())
    ]


def artwork_path(work_id):
    """A work's artwork as the catalog serves it (``security.routes.OPDS_ARTWORK_PATH``)."""
    return f"{ROOT}works/{int(work_id)}/artwork"


def pictures(work):
    """Cover and thumbnail links, when one of the work's files has artwork (the first that has
    one, as ``library.artwork.selectors.artwork_of_work`` chooses)."""
    artwork = next((asset.artwork for asset in getattr(work, "files", ()) if asset.artwork_id), None)
    if artwork is None:
        return []
    href = artwork_path(work.pk)
    return [
        Picture(IMAGE_REL, href, renditions.mime_type(artwork, None)),
        Picture(THUMBNAIL_REL, f"{href}?size={THUMBNAIL_SIZE}", renditions.mime_type(artwork, THUMBNAIL_SIZE)),
    ]
