"""WebSocket routing. The hub consumer is added by the Intercom; until then every upgrade is refused."""


async def websocket_application(scope, receive, send):
    message = await receive()
    if message["type"] == "websocket.connect":
        await send({"type": "websocket.close", "code": 1008})
