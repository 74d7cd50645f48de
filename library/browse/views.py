from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics

from engine.api import whole_number
from engine.errors import BadInput
from library.browse import selectors
from library.browse.serializers import AdministratorWorkSerializer, WorkSerializer
from library.models import WorkKind
from security.permissions import IsConsumer


def _serializer_for(request):
    # No principal only while the schema is generated outside a request.
    if request.user is not None and request.user.is_administrator:
        return AdministratorWorkSerializer
    return WorkSerializer


class WorkList(generics.ListAPIView):
    """Lists works as :func:`selectors.listed` reads them; ``WorkSerializer`` documents the rows."""

    permission_classes = [IsConsumer]
    serializer_class = WorkSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Case- and accent-insensitive search on title, artist/author, album/series."),
            OpenApiParameter("kind", str, enum=list(WorkKind.values)),
            OpenApiParameter("folder", int),
            OpenApiParameter("ordering", str, description="title, year, created_at, … (prefix - to reverse)"),
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        return self.get_paginated_response(self.paginate_queryset(self.get_queryset()))

    def get_queryset(self):
        params = self.request.query_params
        kind = params.get("kind") or None
        if kind is not None and kind not in WorkKind.values:
            raise BadInput(f"Unknown kind {kind!r}.", "invalid_kind")
        folder = params.get("folder") or None
        if folder is not None:
            folder = whole_number(folder, "folder", detail="folder must be a folder id.")
        q = params.get("q", "")
        if len(q) > 200:
            raise BadInput("The search text is longer than 200 characters.", "invalid_query")
        return selectors.Listing(q=q, kind=kind, folder=folder, ordering=params.get("ordering") or None)


class WorkDetail(generics.RetrieveAPIView):
    permission_classes = [IsConsumer]
    queryset = selectors.work_detail()

    def get_serializer_class(self):
        return _serializer_for(self.request)
