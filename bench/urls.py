"""Routes used only by bench/body_gate.py: one endpoint behind key authentication, one without.

Light on purpose: the gate's cost per request is the same on every route, and shows plainest
beside a view that does little.
"""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from library.models import Work
from security.authentication import ApiKeyAuthentication
from security.permissions import IsConsumer


class Open(APIView):
    """An endpoint that reads one row, as a real browse endpoint does at the least."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response({"works": Work.objects.filter(pk=1).exists()})

    def post(self, request):
        return Response({"fields": len(request.data), "works": Work.objects.filter(pk=1).exists()})


class Keyed(Open):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [IsConsumer]


urlpatterns = [path("bench/keyed", Keyed.as_view()), path("bench/open", Open.as_view())]
