"""The catalog's feeds, each once for OPDS 1.2 (``/opds/…``) and once for 2.0 (``/opds/v2/…``).

Thin: a builder turns the request into a :class:`~library.opds.feeds.Feed` from the catalog's
selections; the renderer of the route's format writes it. The principal middleware has judged
the caller (HTTP Basic, ``X-Api-Key`` or the localhost bypass) and the general rate policy has
counted the request.
"""

from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from engine.errors import error_response
from library.opds import atom, catalog, v2
from library.opds.feeds import ACQUISITION, NAVIGATION, ROOT, Feed, Link, acquisition, navigation
from security.permissions import role_required
from security.request_facts import from_request
from security.roles import Role

#: Feeds are the caller's view of the library: a browser may keep them, shared caches must not.
CACHE_CONTROL = "private, no-cache"


def _root(request):
    counts = {kind: catalog.publications((kind,)).count() for kind in catalog.KINDS}
    links = [Link("Recently added", f"{ROOT}recent", ACQUISITION, rel="http://opds-spec.org/sort/new", summary="The newest books, comics and audiobooks.")]
    links += [Link(title, f"{ROOT}kinds/{kind}", ACQUISITION, count=counts[kind], summary=f"Every {title.lower()[:-1]}, by title.") for kind, title in catalog.KINDS.items()]
    links += [
        Link("Authors", f"{ROOT}authors", NAVIGATION, summary="Books, comics and audiobooks by author."),
        Link("Series", f"{ROOT}series", NAVIGATION, summary="Books, comics and audiobooks by series."),
    ]
    return Feed(path=ROOT, title="Media Engine", kind=NAVIGATION, links=links)


def _recent(request):
    return acquisition(request, f"{ROOT}recent", "Recently added", catalog.recent())


def _kind(request, kind):
    queryset = catalog.of_kind(kind)
    return acquisition(request, f"{ROOT}kinds/{kind}", catalog.KINDS[kind], queryset)


def _groups(request, path, title, groups):
    links = [Link(name, f"{path}/{catalog.group_token(name)}", ACQUISITION, count=count) for name, count in groups]
    return navigation(request, path, title, links)


def _authors(request):
    return _groups(request, f"{ROOT}authors", "Authors", catalog.authors())


def _series(request):
    return _groups(request, f"{ROOT}series", "Series", catalog.series())


def _author(request, token):
    name = catalog.group_name(token)
    return acquisition(request, f"{ROOT}authors/{token}", name, catalog.by_author(name))


def _one_series(request, token):
    name = catalog.group_name(token)
    return acquisition(request, f"{ROOT}series/{token}", name, catalog.in_series(name))


def _search(request):
    q = request.GET.get("q", request.GET.get("query", ""))
    return acquisition(request, f"{ROOT}search", f"Search: {q.strip()[:80]}", catalog.search(q), query={"q": q})


def _safe_methods(view):
    """GET and HEAD; any other method is a JSON 405. Keys authenticate here, never cookies, so
    there is no CSRF token to check (as on ``/stream/``)."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return error_response(405, "Method not allowed.", "method_not_allowed", headers={"Allow": "GET, HEAD"})
        return view(request, *args, **kwargs)

    return wrapper


def _cached(response):
    response["Cache-Control"] = CACHE_CONTROL
    return response


def atom_feed(builder):
    @csrf_exempt
    @role_required(Role.CONSUMER)
    @_safe_methods
    def view(request, **kwargs):
        feed = builder(request, **kwargs)
        return _cached(HttpResponse(atom.render(feed), content_type=f"{atom.feed_type(feed.kind)};charset=utf-8"))

    view.__name__ = builder.__name__.lstrip("_")
    return view


def v2_feed(builder):
    @csrf_exempt
    @role_required(Role.CONSUMER)
    @_safe_methods
    def view(request, **kwargs):
        return _cached(JsonResponse(v2.render(builder(request, **kwargs)), content_type=v2.TYPE))

    view.__name__ = f"v2_{builder.__name__.lstrip('_')}"
    return view


@csrf_exempt
@role_required(Role.CONSUMER)
@_safe_methods
def opensearch(request):
    base_url = f"{from_request(request).public_scheme}://{request.get_host()}"
    return _cached(HttpResponse(atom.opensearch(base_url), content_type=f"{atom.OPENSEARCH_TYPE};charset=utf-8"))


#: (path below /opds/ and /opds/v2/, builder, name)
FEEDS = (
    ("", _root, "root"),
    ("recent", _recent, "recent"),
    ("kinds/<str:kind>", _kind, "kind"),
    ("authors", _authors, "authors"),
    ("authors/<str:token>", _author, "author"),
    ("series", _series, "series"),
    ("series/<str:token>", _one_series, "one-series"),
    ("search", _search, "search"),
)
