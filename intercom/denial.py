"""Refusing a WebSocket upgrade so that it never becomes an open socket.

Servers that advertise the ASGI ``websocket.http.response`` extension (uvicorn does) can answer
the upgrade request with a real HTTP response: the client sees the 401, 403, 404, 409 or 429
with its JSON body and headers, as it would from the API. Others (daphne) can only reject the
upgrade, which they turn into a bare 403.
"""

from intercom.protocol import POLICY_VIOLATION
from engine.errors import asgi_head

DENIAL_EXTENSION = "websocket.http.response"


def supports_denial_response(scope):
    return DENIAL_EXTENSION in (scope.get("extensions") or {})


async def refuse(scope, send, response):
    """Answer the pending upgrade with the Django ``response`` (an error), or reject it plainly."""
    if not supports_denial_response(scope):
        await send({"type": "websocket.close", "code": POLICY_VIOLATION})
        return
    status, headers = asgi_head(response)
    await send({"type": "websocket.http.response.start", "status": status, "headers": headers})
    await send({"type": "websocket.http.response.body", "body": response.content, "more_body": False})
