"""``GET /``: what a person with a browser, or a program, finds at the engine's address.

Browsers (``Accept: text/html``) get a small page, everything else JSON. Both say only what
``/system/status`` already tells anyone (the version) and where things are: the API's docs, the
Django admin, and where an API key goes. A caller the engine recognises also sees its role.
"""

from types import SimpleNamespace

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

import engine

LINKS = {
    "docs": "/schema/docs/",
    "schema": "/schema/",
    "django_admin": "/django-admin/",
    "status": "/system/status",
    "hub": "/hubs/intercom",
}
KEY_HINT = (
    "Send an API key in the X-Api-Key header (on the hub also as Authorization: Bearer or the "
    "access_token query parameter). An Administrator makes keys in the Django admin, over "
    "POST /admin/api-keys or with manage.py apikey create."
)


class LandingSerializer(serializers.Serializer):
    name = serializers.CharField()
    version = serializers.CharField()
    links = serializers.DictField(child=serializers.CharField())
    authentication = serializers.DictField(child=serializers.CharField())
    caller = serializers.DictField(child=serializers.CharField(), required=False)


class ByAcceptOnly(DefaultContentNegotiation):
    """HTML or JSON by ``Accept`` alone: DRF's ``?format=`` would add a way to get a 404 here."""

    settings = SimpleNamespace(URL_FORMAT_OVERRIDE=None)


class Landing(APIView):
    permission_classes = [AllowAny]
    renderer_classes = [JSONRenderer, TemplateHTMLRenderer]
    content_negotiation_class = ByAcceptOnly
    template_name = "landing.html"

    @extend_schema(
        operation_id="landing_retrieve", tags=["system"], summary="The engine's version and where things are.",
        parameters=[OpenApiParameter("format", exclude=True)], responses={200: LandingSerializer},
    )
    def get(self, request):
        body = {
            "name": "Media Engine",
            "version": engine.__version__,
            "links": LINKS,
            "authentication": {"header": "X-Api-Key", "detail": KEY_HINT},
        }
        if request.user is not None:
            body["caller"] = {"role": str(request.user.role), "via": request.user.via.value}
        return Response(body)
