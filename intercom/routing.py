"""WebSocket routing: the Intercom hub at ``/hubs/intercom``; every other upgrade gets a 404."""

from engine.errors import not_found
from intercom.consumer import IntercomConsumer
from intercom.denial import refuse
from security.routes import HUB_PATH

hub_application = IntercomConsumer.as_asgi()


async def websocket_application(scope, receive, send):
    if scope.get("path") == HUB_PATH:
        return await hub_application(scope, receive, send)
    message = await receive()
    if message["type"] == "websocket.connect":
        await refuse(scope, send, not_found())
