"""The hub's HTTP side: negotiate (what SignalR clients call first) and browser tickets.

Both are authenticated, rate-limited and role-checked by the middleware like every route;
negotiate is CSRF-exempt because SignalR clients POST it without a token (it changes nothing
and needs a key).
"""

from django.views.decorators.csrf import csrf_exempt
from django.http import JsonResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.api import whole_number
from engine.errors import error_response
from intercom import connections
from security import refusals, tickets
from security.origins import origin_allowed
from security.permissions import IsConsumer, MayObtainTicket, role_required
from security.request_facts import from_request
from security.roles import Role

NEGOTIATE_VERSION = 1
TRANSPORTS = [{"transport": "WebSockets", "transferFormats": ["Text"]}]


@csrf_exempt
@role_required(Role.CONSUMER)
def negotiate(request):
    if request.method != "POST":
        return error_response(405, "Use POST.", "method_not_allowed", headers={"Allow": "POST"})
    if not origin_allowed(from_request(request)):
        # The socket that follows would be refused; say so before handing out a token.
        return refusals.origin_refused()
    requested = whole_number(
        request.GET.get("negotiateVersion", "0"), "negotiateVersion", code="invalid", maximum=9999,
        detail="negotiateVersion must be a whole number.",
    )
    version = min(requested, NEGOTIATE_VERSION)
    connection_id, token = connections.new_connection(request.principal, version)
    # negotiateVersion is written for version 0 too, as ASP.NET Core does: signalrcore, which
    # asks for version 0, refuses an answer without it ("negotiateVersion must be an integer").
    body = {"negotiateVersion": version, "connectionId": connection_id, "availableTransports": TRANSPORTS}
    if version >= 1:
        body["connectionToken"] = token
    return JsonResponse(body)


class TicketSerializer(serializers.Serializer):
    ticket = serializers.CharField()
    expires_at = serializers.DateTimeField()


class HubTicketView(APIView):
    """``POST`` → a ticket usable once, within ~30 s, as the hub's ``access_token``."""

    permission_classes = [IsConsumer, MayObtainTicket]

    @extend_schema(request=None, responses={200: TicketSerializer})
    def post(self, request):
        issued = tickets.issue(request.user)
        return Response(TicketSerializer(issued).data)
