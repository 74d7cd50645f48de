"""OPDS 1.2: a :class:`~library.opds.feeds.Feed` as an Atom document, and the OpenSearch
description its search link points to.

Links are root-relative (``/opds/…``): they resolve against the feed's own URL behind any proxy
that keeps paths, and name no host a client did not use itself. Only the OpenSearch template is
absolute, as OpenSearch 1.1 asks.
"""

import uuid
from xml.etree import ElementTree

from library.opds import publication
from library.opds.feeds import ACQUISITION, ROOT

ATOM = "http://www.w3.org/2005/Atom"
OPDS = "http://opds-spec.org/2010/catalog"
DC = "http://purl.org/dc/terms/"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
#: Atom threading (RFC 4685): ``thr:count`` on a navigation link is how many entries it leads to.
THREADING = "http://purl.org/syndication/thread/1.0"
NAMESPACES = {"": ATOM, "opds": OPDS, "dc": DC, "opensearch": OPENSEARCH, "thr": THREADING}

NAVIGATION_TYPE = "application/atom+xml;profile=opds-catalog;kind=navigation"
ACQUISITION_TYPE = "application/atom+xml;profile=opds-catalog;kind=acquisition"
OPENSEARCH_TYPE = "application/opensearchdescription+xml"
SEARCH_PATH = f"{ROOT}search"
OPENSEARCH_PATH = f"{ROOT}opensearch.xml"
#: Entry and feed ids are stable URNs derived from what they name, never from a host.
_IDS = uuid.UUID("6f6e2f1c-3b0e-4f55-9a8d-2a4c2f7e0b19")

for _prefix, _uri in NAMESPACES.items():
    ElementTree.register_namespace(_prefix, _uri)


def feed_type(kind):
    return ACQUISITION_TYPE if kind == ACQUISITION else NAVIGATION_TYPE


def urn(name):
    return f"urn:uuid:{uuid.uuid5(_IDS, name)}"


def _q(namespace, name):
    return f"{{{namespace}}}{name}"


def _sub(parent, namespace, name, text=None, **attributes):
    element = ElementTree.SubElement(parent, _q(namespace, name), {key: str(value) for key, value in attributes.items() if value is not None})
    if text is not None:
        element.text = str(text)
    return element


def _date(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _link(parent, rel, href, type_, **attributes):
    return _sub(parent, ATOM, "link", rel=rel, href=href, type=type_, **attributes)


def render(feed):
    """The feed as UTF-8 Atom bytes."""
    root = ElementTree.Element(_q(ATOM, "feed"))
    _sub(root, ATOM, "id", urn(f"feed:{feed.href()}"))
    _sub(root, ATOM, "title", feed.title)
    _sub(root, ATOM, "updated", _date(feed.updated))
    author = _sub(root, ATOM, "author")
    _sub(author, ATOM, "name", "Media Engine")
    _link(root, "self", feed.href(feed.paging.number if feed.paging else None), feed_type(feed.kind))
    _link(root, "start", ROOT, NAVIGATION_TYPE)
    _link(root, "up", ROOT, NAVIGATION_TYPE)
    _link(root, "search", OPENSEARCH_PATH, OPENSEARCH_TYPE)
    for rel, number in feed.page_links().items():
        _link(root, rel, feed.href(number), feed_type(feed.kind))
    if feed.paging is not None:
        _sub(root, OPENSEARCH, "totalResults", feed.paging.total)
        _sub(root, OPENSEARCH, "itemsPerPage", feed.paging.size)
        _sub(root, OPENSEARCH, "startIndex", feed.paging.start_index)
    for link in feed.links:
        _navigation_entry(root, link, feed.updated)
    for work in feed.publications:
        _publication_entry(root, work)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _navigation_entry(root, link, updated):
    entry = _sub(root, ATOM, "entry")
    _sub(entry, ATOM, "title", link.title)
    _sub(entry, ATOM, "id", urn(f"feed:{link.path}"))
    _sub(entry, ATOM, "updated", _date(updated))
    element = _link(entry, link.rel, link.path, feed_type(link.kind))
    if link.count is not None:
        element.set(_q(THREADING, "count"), str(link.count))
    if link.summary:
        _sub(entry, ATOM, "content", link.summary, type="text")


def _publication_entry(root, work):
    entry = _sub(root, ATOM, "entry")
    _sub(entry, ATOM, "title", publication.title(work))
    _sub(entry, ATOM, "id", urn(f"work:{work.pk}"))
    _sub(entry, ATOM, "updated", _date(work.updated_at))
    for name in publication.authors(work):
        author = _sub(entry, ATOM, "author")
        _sub(author, ATOM, "name", name)
    if work.series:
        _sub(entry, ATOM, "category", term=work.series, label=f"Series: {work.series}", scheme=publication.SERIES_SCHEME)
    if publication.language(work):
        _sub(entry, DC, "language", publication.language(work))
    if work.year:
        _sub(entry, DC, "issued", f"{work.year:04d}")
    if publication.publisher(work):
        _sub(entry, DC, "publisher", publication.publisher(work))
    if publication.description(work):
        _sub(entry, ATOM, "summary", publication.description(work), type="text")
    for picture in publication.pictures(work):
        _link(entry, picture.rel, picture.href, picture.type)
    for file in publication.files(work):
        _link(entry, publication.ACQUISITION_REL, file.href, file.type, length=file.length, title=file.title)


def opensearch(base_url):
    """The OpenSearch 1.1 description of the catalog's search (``base_url``: scheme and host)."""
    root = ElementTree.Element("{http://a9.com/-/spec/opensearch/1.1/}OpenSearchDescription")
    _sub(root, OPENSEARCH, "ShortName", "Media Engine")
    _sub(root, OPENSEARCH, "Description", "Search the books, comics and audiobooks of this Media Engine.")
    _sub(root, OPENSEARCH, "InputEncoding", "UTF-8")
    _sub(root, OPENSEARCH, "OutputEncoding", "UTF-8")
    _sub(root, OPENSEARCH, "Url", type=ACQUISITION_TYPE, template=f"{base_url}{SEARCH_PATH}?q={{searchTerms}}&page={{startPage?}}", pageOffset=1)
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
