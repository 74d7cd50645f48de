"""The HTTP answer for a picture at a size: ETag, If-None-Match, Cache-Control, the bytes.

One function for every route that sends artwork: ``GET /library/works/{id}/artwork`` and
OpenSubsonic's ``getCoverArt``.
"""

from django.http import HttpResponse
from django.utils.http import parse_etags

from library.artwork import renditions

#: Authenticated content: a browser may keep it a day, shared caches must not.
CACHE_CONTROL = "private, max-age=86400"


def _matches(header, etag):
    """RFC 9110 If-None-Match: weak comparison, ``*`` matching any representation."""
    if header is None:
        return False
    tags = parse_etags(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def artwork_response(request, artwork, size):
    """``artwork`` with its longest side ``size`` (None: the original), or 304 when the client
    holds it already."""
    etag = renditions.etag(artwork, size)
    if _matches(request.headers.get("If-None-Match"), etag):
        response = HttpResponse(status=304)
        del response["Content-Type"]
    else:
        made = renditions.rendition(artwork, size)
        response = HttpResponse(made.data, content_type=made.mime_type)
    response["ETag"] = etag
    response["Cache-Control"] = CACHE_CONTROL
    # A picture shown on the engine's origin must not run script there (an SVG never is kept,
    # but the rule costs nothing).
    response["Content-Security-Policy"] = "sandbox"
    return response
