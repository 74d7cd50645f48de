"""A catalog page as both renderings need it: what it is, what it lists, and where its pages are.

Views build a :class:`Feed` from a selection (``library.opds.catalog``); ``atom`` and ``v2``
render it. Paths are the OPDS 1.2 ones; the OPDS 2.0 rendering maps them under ``/opds/v2/``.
"""

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, Paginator
from django.utils import timezone

from engine.errors import NotFound

NAVIGATION, ACQUISITION = "navigation", "acquisition"
#: Entries per page: what KOReader and Thorium show comfortably and load quickly on e-ink.
PAGE_SIZE = 50
ROOT = "/opds/"


@dataclass(frozen=True)
class Link:
    """A navigation entry: a feed a reader can open from this one."""

    title: str
    path: str
    kind: str
    rel: str = "subsection"
    summary: str = ""
    count: int | None = None


@dataclass(frozen=True)
class Paging:
    number: int
    last: int
    total: int
    size: int = PAGE_SIZE

    @property
    def start_index(self):
        return (self.number - 1) * self.size + 1


@dataclass
class Feed:
    path: str
    title: str
    kind: str
    links: list = field(default_factory=list)
    publications: list = field(default_factory=list)
    paging: Paging | None = None
    #: Query parameters every page of this feed carries (a search's ``q``).
    query: dict = field(default_factory=dict)
    updated: datetime = field(default_factory=timezone.now)

    def href(self, page=None, prefix=ROOT):
        """The path of this feed (or one of its pages) under ``prefix``."""
        path = prefix + self.path[len(ROOT):]
        query = dict(self.query)
        if page is not None and page > 1:
            query["page"] = page
        return f"{path}?{urlencode(query)}" if query else path

    def page_links(self):
        """``{rel: page number}`` for first, previous, next and last."""
        if self.paging is None:
            return {}
        number, last = self.paging.number, self.paging.last
        links = {"first": 1, "last": last}
        if number > 1:
            links["previous"] = number - 1
        if number < last:
            links["next"] = number + 1
        return links


def page_number(request):
    text = request.GET.get("page") or "1"  # an OpenSearch client may leave {startPage?} empty
    if not (text.isascii() and text.isdigit()) or len(text) > 6 or int(text) < 1:
        raise NotFound("page must be a whole number from 1.", "invalid_page")
    return int(text)


def _page(request, items):
    """``(the items of the page asked for, its Paging)``: 404 for a page the feed does not have."""
    paginator = Paginator(items, PAGE_SIZE, allow_empty_first_page=True)
    number = page_number(request)
    try:
        page = paginator.page(number)
    except EmptyPage:
        raise NotFound(f"This feed has {paginator.num_pages} page(s).", "invalid_page") from None
    return list(page.object_list), Paging(number=number, last=paginator.num_pages, total=paginator.count)


def acquisition(request, path, title, queryset, query=None):
    """The acquisition feed of one page of ``queryset``."""
    works, paging = _page(request, queryset)
    updated = max((work.updated_at for work in works), default=timezone.now())
    return Feed(path=path, title=title, kind=ACQUISITION, publications=works, query=query or {}, updated=updated, paging=paging)


def navigation(request, path, title, links):
    """A navigation feed of ``links``, paged like an acquisition feed (authors can be many)."""
    links, paging = _page(request, links)
    return Feed(path=path, title=title, kind=NAVIGATION, links=links, paging=paging)
