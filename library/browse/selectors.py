"""Reads for browsing: which works a query selects, in which order."""

from django.db.models import Prefetch

from engine.errors import BadInput
from library.models import Asset, AssetLocation, Work
from library.search import fold

#: ``?ordering=`` values clients may use (a leading ``-`` reverses).
ORDERINGS = {"title", "year", "created_at", "updated_at", "artist", "album", "author", "series", "kind", "id"}


def works(*, q=None, kind=None, folder=None, ordering=None):
    queryset = Work.objects.all()
    if q:
        for term in fold(q).split():
            queryset = queryset.filter(search_text__contains=term)
    if kind:
        queryset = queryset.filter(kind=kind)
    if folder is not None:
        queryset = queryset.filter(assets__locations__root_id=folder).distinct()
    if ordering:
        field = ordering.lstrip("-")
        if field not in ORDERINGS:
            raise BadInput(f"Unknown ordering {ordering!r}; use one of {', '.join(sorted(ORDERINGS))}.", "invalid_ordering")
        queryset = queryset.order_by(ordering, "id")
    return queryset.prefetch_related(Prefetch("assets", queryset=Asset.objects.order_by("id")))


def work_detail():
    """Works with their assets and the assets' locations (and roots), for ``/library/works/{id}``."""
    locations = AssetLocation.objects.select_related("root").order_by("id")
    return Work.objects.prefetch_related(
        Prefetch("assets", queryset=Asset.objects.order_by("id").prefetch_related(Prefetch("locations", queryset=locations)))
    )
