"""Reads for browsing: which works a query selects, in which order, and how many there are."""

from django.db import connections
from django.db.models import Prefetch, Sum

from engine.errors import BadInput
from library.models import Asset, AssetLocation, Work, WorkCount
from library.search import search_works

#: ``?ordering=`` values clients may use (a leading ``-`` reverses).
ORDERINGS = {"title", "year", "created_at", "updated_at", "artist", "album", "author", "series", "kind", "id"}

#: What a listed work shows (``WorkSerializer`` documents it), read as plain values.
WORK_FIELDS = ("id", "title", "kind", "year", "artist", "album", "author", "series", "metadata", "created_at", "updated_at")
ASSET_FIELDS = ("id", "role", "mime_type", "size", "duration", "streams")


def works(*, q=None, kind=None, folder=None, ordering=None):
    queryset = search_works(Work.objects.all(), q) if q else Work.objects.all()
    if kind:
        queryset = queryset.filter(kind=kind)
    if folder is not None:
        queryset = queryset.filter(assets__locations__root_id=folder).distinct()
    if ordering:
        field = ordering.lstrip("-")
        if field not in ORDERINGS:
            raise BadInput(f"Unknown ordering {ordering!r}; use one of {', '.join(sorted(ORDERINGS))}.", "invalid_ordering")
        queryset = queryset.order_by(ordering, "id")
    return queryset


def count(*, q=None, kind=None, folder=None):
    """How many works :func:`works` selects.

    The whole library, or one kind of it, is counted by the triggers behind ``WorkCount``: a
    handful of rows, however large the library. A search or a folder is counted by the query
    itself, which reads only what it already has to read to find the page.
    """
    if q or folder is not None:
        return works(q=q, kind=kind, folder=folder).count()
    counts = WorkCount.objects.filter(kind=kind) if kind else WorkCount.objects.all()
    return counts.aggregate(total=Sum("works"))["total"] or 0


def listed(works):
    """The list representation of ``works`` (a sliced queryset): plain values with their assets,
    two queries whatever the page size and no model instances, since the list is the hot path of
    every client that syncs a library."""
    page = [{**row, "assets": []} for row in works.values(*WORK_FIELDS)]
    by_id = {row["id"]: row["assets"] for row in page}
    for work_id, asset in _assets_of(list(by_id)):
        by_id[work_id].append(asset)
    return page


def _assets_of(work_ids):
    """``(work_id, {ASSET_FIELDS...})`` of the assets of ``work_ids``, in id order.

    Raw SQL, fixed but for the number of placeholders: the ORM took longer to compile an ``IN``
    of fifty ids (1.8 ms) than SQLite took to answer it. A field that converts what the database
    returns (a JSON column) converts it here as the ORM would.
    """
    if not work_ids:
        return []
    connection = connections[Asset.objects.db]
    quote = connection.ops.quote_name
    fields = [Asset._meta.get_field(name) for name in ASSET_FIELDS]
    converters = [(index, field) for index, field in enumerate(fields) if hasattr(field, "from_db_value")]
    columns = ", ".join(quote(field.column) for field in [Asset._meta.get_field("work"), *fields])
    placeholders = ", ".join(["%s"] * len(work_ids))
    sql = f"SELECT {columns} FROM {quote(Asset._meta.db_table)} WHERE {quote('work_id')} IN ({placeholders}) ORDER BY {quote('id')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, work_ids)
        rows = cursor.fetchall()
    assets = []
    for work_id, *values in rows:
        for index, field in converters:
            values[index] = field.from_db_value(values[index], None, connection)
        assets.append((work_id, dict(zip(ASSET_FIELDS, values))))
    return assets


class Listing:
    """Works as a paginator pages them: :meth:`count` from :func:`count`, slices as :func:`listed`."""

    ordered = True

    def __init__(self, *, ordering=None, **criteria):
        self.criteria = criteria
        self.queryset = works(ordering=ordering, **criteria)

    def count(self):
        return count(**self.criteria)

    def __getitem__(self, window):
        return listed(self.queryset[window])


def work_detail():
    """Works with their assets and the assets' locations (and roots), for ``/library/works/{id}``."""
    locations = AssetLocation.objects.select_related("root").primary_first()
    return Work.objects.prefetch_related(
        Prefetch("assets", queryset=Asset.objects.order_by("id").prefetch_related(Prefetch("locations", queryset=locations)))
    )
