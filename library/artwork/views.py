"""``GET /library/works/{id}/artwork?size=N``: a work's cover, with ETag and Cache-Control.

Counted under the streaming rate policy (``security.routes.ARTWORK_PATH``), as players fetch a
cover with every track they show.
"""

from django.http import HttpResponse
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from engine.errors import BadInput
from library.artwork import renditions, selectors
from library.artwork.store import EXTENSIONS
from security.permissions import IsConsumer

#: Authenticated content: a browser may keep it a day, shared caches must not.
CACHE_CONTROL = "private, max-age=86400"
_IMAGE = OpenApiResponse(OpenApiTypes.BINARY, description="The picture; its longest side is `size` when smaller than the original.")


def _size(request):
    text = request.query_params.get("size")
    if text is None or text == "":
        return None
    if not text.isdigit() or not 1 <= int(text) <= renditions.MAX_SIZE:
        raise BadInput(f"size must be a whole number of pixels from 1 to {renditions.MAX_SIZE}.", "invalid_size")
    return int(text)


def _matches(header, etag):
    """RFC 9110 If-None-Match: weak comparison, ``*`` matching any representation."""
    if header is None:
        return False
    tags = parse_etags(header)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


class WorkArtwork(APIView):
    permission_classes = [IsConsumer]

    @extend_schema(
        parameters=[
            OpenApiParameter("size", int, description=f"Longest side in pixels (1 to {renditions.MAX_SIZE}); the original when left out."),
            OpenApiParameter("If-None-Match", str, location=OpenApiParameter.HEADER, required=False),
        ],
        responses={**{(200, mime): _IMAGE for mime in EXTENSIONS}, 304: OpenApiResponse(description="Not modified.")},
    )
    def get(self, request, pk):
        size = _size(request)
        artwork = selectors.artwork_of_work(pk)
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
