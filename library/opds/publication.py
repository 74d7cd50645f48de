"""What a catalog entry says about a work, for both renderings: names, files, pictures."""

from dataclasses import dataclass

from library.opds.feeds import ROOT

ACQUISITION_REL = "http://opds-spec.org/acquisition"
IMAGE_REL = "http://opds-spec.org/image"
THUMBNAIL_REL = "http://opds-spec.org/image/thumbnail"
SERIES_SCHEME = "urn:media-engine:series"
#: Longest side of the thumbnails the catalog links to: a cover in a KOReader or Thorium list.
THUMBNAIL_SIZE = 300


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


def pictures(work):
    """Cover and thumbnail links, when the work has artwork."""
    return []
