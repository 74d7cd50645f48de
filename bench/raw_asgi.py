"""The ceiling of the throughput benchmark: a raw ASGI app answering a small JSON body, served by
the same uvicorn as the engine. Nothing between the server and the bytes."""

BODY = b'{"status":"ok","version":"0.1.0"}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
