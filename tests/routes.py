"""Every route the URL resolver serves, for suites that must cover routes as they are added."""

import re

from django.urls import URLPattern, URLResolver, get_resolver

_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
#: Values for path parameters that name nothing, so a request reaches the view and changes nothing.
SAMPLES = {"int": "987654", "str": "no-such-name", "slug": "no-such-name", "path": "no/such/path", "item_kind": "work"}


def routes(patterns=None, prefix=""):
    """The raw route of every URL pattern, such as ``admin/api-keys/<int:pk>``."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route


def shape(route):
    """``/admin/api-keys/{}``: parameters blanked, so a route and its OpenAPI path compare."""
    return "/" + _PARAMETER.sub("{}", route.lstrip("/"))


def concrete(route):
    """``/admin/api-keys/987654``: a path that reaches the route's view."""
    return "/" + _PARAMETER.sub(lambda match: SAMPLES.get(match.group(1) or "str", "x"), route.lstrip("/"))
