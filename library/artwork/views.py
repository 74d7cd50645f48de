"""``GET /library/works/{id}/artwork?size=N``: a work's cover, with ETag and Cache-Control.

Counted under the streaming rate policy (``security.routes.ARTWORK_PATH``), as players fetch a
cover with every track they show.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from engine.api import whole_number
from engine.errors import BadInput
from library.artwork import renditions, selectors
from library.artwork.responses import artwork_response
from library.artwork.store import EXTENSIONS
from security.permissions import IsConsumer

_IMAGE = OpenApiResponse(OpenApiTypes.BINARY, description="The picture; its longest side is `size` when smaller than the original.")


def _size(request):
    text = request.query_params.get("size")
    if text is None or text == "":
        return None
    detail = f"size must be a whole number of pixels from 1 to {renditions.MAX_SIZE}."
    size = whole_number(text, "size", maximum=renditions.MAX_SIZE, detail=detail)
    if size < 1:
        raise BadInput(detail, "invalid_size")
    return size


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
        return artwork_response(request, selectors.artwork_of_work(pk), size)
