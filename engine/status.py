"""The health probe: the one endpoint that needs no key."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

import engine
from engine import health


class SystemStatus(APIView):
    """Say that the engine is up, and nothing else to strangers.

    Anonymous callers learn only the state and version; warnings that describe the deployment
    (such as a master key kept in a file) are for Administrators.
    """

    permission_classes = [AllowAny]

    @extend_schema(responses={200: {"type": "object", "properties": {"status": {"type": "string"}, "version": {"type": "string"}}}})
    def get(self, request):
        body = {"status": "ok", "version": engine.__version__}
        if request.user is not None and request.user.is_administrator:
            body["warnings"] = health.warnings()
        return Response(body)
