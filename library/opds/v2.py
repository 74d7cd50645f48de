"""OPDS 2.0: the same :class:`~library.opds.feeds.Feed` as ``application/opds+json``.

Feeds live under ``/opds/v2/``; downloads and covers are the OPDS 1.2 ones (one file route, one
quota). Costs one renderer: the selections, paging and links are shared with Atom.
"""

from library.opds import publication
from library.opds.atom import urn
from library.opds.feeds import ACQUISITION, ROOT

TYPE = "application/opds+json"
V2_ROOT = f"{ROOT}v2/"
_PUBLICATION_TYPES = {"book": "http://schema.org/Book", "comic": "http://schema.org/ComicStory", "audiobook": "http://schema.org/Audiobook"}


def v2_path(path):
    """An OPDS 1.2 feed path (``/opds/authors``) as its OPDS 2.0 twin (``/opds/v2/authors``)."""
    return V2_ROOT + path[len(ROOT):]


def _link(rel, href, type_=TYPE, **extra):
    return {"rel": rel, "href": href, "type": type_, **extra}


def render(feed):
    metadata = {"title": feed.title, "modified": feed.updated.isoformat(timespec="seconds").replace("+00:00", "Z")}
    if feed.paging is not None:
        metadata.update(numberOfItems=feed.paging.total, itemsPerPage=feed.paging.size, currentPage=feed.paging.number)
    links = [
        _link("self", feed.href(feed.paging.number if feed.paging else None, prefix=V2_ROOT)),
        _link("start", V2_ROOT),
        _link("search", f"{V2_ROOT}search{{?query}}", templated=True),
    ]
    links += [_link(rel, feed.href(number, prefix=V2_ROOT)) for rel, number in feed.page_links().items()]
    document = {"metadata": metadata, "links": links}
    if feed.kind == ACQUISITION:
        document["publications"] = [_publication(work) for work in feed.publications]
    else:
        document["navigation"] = [_navigation(link) for link in feed.links]
    return document


def _navigation(link):
    item = {"title": link.title, "href": v2_path(link.path), "type": TYPE, "rel": link.rel}
    if link.count is not None:
        item["properties"] = {"numberOfItems": link.count}
    return item


def _publication(work):
    metadata = {
        "@type": _PUBLICATION_TYPES.get(work.kind, "http://schema.org/CreativeWork"),
        "identifier": urn(f"work:{work.pk}"),
        "title": publication.title(work),
        "modified": work.updated_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    names = publication.authors(work)
    if names:
        metadata["author"] = [{"name": name} for name in names]
    if work.series:
        metadata["belongsTo"] = {"series": [{"name": work.series}]}
    if work.year:
        metadata["published"] = f"{work.year:04d}"
    for field, value in (("language", publication.language(work)), ("publisher", publication.publisher(work)), ("description", publication.description(work))):
        if value:
            metadata[field] = value
    document = {
        "metadata": metadata,
        "links": [
            {"rel": publication.ACQUISITION_REL, "href": file.href, "type": file.type, "properties": {"length": file.length}}
            for file in publication.files(work)
        ],
    }
    images = [{"href": picture.href, "type": picture.type} for picture in publication.pictures(work)]
    if images:
        document["images"] = images
    return document
