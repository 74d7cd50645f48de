"""What the catalog shows and how it is grouped: books, comics and audiobooks, by kind, author,
series, newest first or found by a search.

Reads only; both renderings (Atom and OPDS 2.0) take these querysets. A work appears while one
of its files is present, with the files that are (a missing file would be a dead download).
"""

import base64
import binascii

from django.db.models import Count, Exists, OuterRef, Prefetch

from engine.errors import BadInput, NotFound
from library.browse.selectors import works as browse_works
from library.models import Asset, AssetLocation, Work, WorkKind

#: The kinds a reader's catalog holds, in the order the root lists them, with their titles.
KINDS = {
    WorkKind.BOOK: "Books",
    WorkKind.COMIC: "Comics",
    WorkKind.AUDIOBOOK: "Audiobooks",
}
#: Group names (an author, a series) travel in paths as URL-safe base64 of their UTF-8: no
#: separator, quote or dot can appear in the path, and every name comes back exactly.
MAX_GROUP_TOKEN = 700
MAX_QUERY = 200


def _present_assets():
    present = AssetLocation.objects.filter(asset=OuterRef("pk"), missing_since__isnull=True)
    return Asset.objects.filter(Exists(present))


def publications(kinds=tuple(KINDS)):
    """Works of ``kinds`` with a file present, their present files prefetched as ``files``."""
    present = _present_assets()
    return (
        Work.objects.filter(kind__in=kinds)
        .filter(Exists(present.filter(work=OuterRef("pk"))))
        .prefetch_related(Prefetch("assets", queryset=present.select_related("artwork").order_by("id"), to_attr="files"))
    )


def recent():
    return publications().order_by("-created_at", "-id")


def of_kind(kind):
    if kind not in KINDS:
        raise NotFound(f"The catalog has no kind {str(kind)[:20]!r}.", "not_found")
    return publications((kind,)).order_by("title", "id")


def by_author(name):
    return publications().filter(author=name).order_by("series", "title", "id")


def in_series(name):
    return publications().filter(series=name).order_by("title", "id")


def search(q):
    q = (q or "").strip()
    if not q:
        raise BadInput("Search for something: q is empty.", "invalid_query")
    if len(q) > MAX_QUERY:
        raise BadInput(f"The search text is longer than {MAX_QUERY} characters.", "invalid_query")
    found = browse_works(q=q).filter(kind__in=tuple(KINDS)).values("pk")
    return publications().filter(pk__in=found).order_by("title", "id")


def _groups(column):
    """``[(name, number of works)]`` of a column (author, series), by name."""
    return list(
        publications()
        .exclude(**{column: ""})
        .values_list(column)
        .annotate(count=Count("pk", distinct=True))
        .order_by(column)
    )


def authors():
    return _groups("author")


def series():
    return _groups("series")


def group_token(name):
    return base64.urlsafe_b64encode(name.encode("utf-8")).decode("ascii").rstrip("=")


def group_name(token):
    """The name a :func:`group_token` stands for; :class:`NotFound` for anything else."""
    if not token or len(token) > MAX_GROUP_TOKEN:
        raise NotFound("No such author or series.", "not_found")
    try:
        padded = (token + "=" * (-len(token) % 4)).encode("ascii")
        return base64.b64decode(padded, altchars=b"-_", validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise NotFound("No such author or series.", "not_found") from None
