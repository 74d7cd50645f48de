"""The HTTP/1.1 protocol ``manage.py serve`` runs: uvicorn's, with the limits it lacks.

uvicorn times out a keep-alive connection that sits idle after a response, and nothing else: a
client that connects and sends half a request head (slowloris) was kept for ever, a thousand of
them by one client, and httptools buffers a head of any size (measured: a 200 MiB head, 200 MiB
of server memory). Here every request head must arrive whole within ``MEDIA_ENGINE_CLIENT_TIMEOUT``
seconds of the connection, or of its first byte on a kept-alive one, and within
:data:`MAX_HEAD_BYTES`; past ``MEDIA_ENGINE_MAX_CONNECTIONS`` open connections a process answers
new requests with a JSON 503 instead of serving them (uvicorn's own ``limit_concurrency`` answers
in plain text). A stalled body is the body gate's to time out (``security.gate``).
"""

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from engine.errors import asgi_head, error_response

#: A request line and headers larger than this are refused (431): nginx allows 4 × 8 KiB, and no
#: client of the engine sends more than a key, a few cookies and a range.
MAX_HEAD_BYTES = 64 * 1024
RETRY_BUSY_SECONDS = 5


def _head_too_large():
    response = error_response(431, f"The request head is larger than {MAX_HEAD_BYTES} bytes.", "head_too_large")
    status, headers = asgi_head(response)
    lines = [b"HTTP/1.1 431 Request Header Fields Too Large", *(name + b": " + value for name, value in headers)]
    return b"\r\n".join([*lines, b"connection: close", b"", response.content])


async def _server_busy(scope, receive, send):
    response = error_response(
        503, "The server has as many connections as it takes; try again shortly.", "server_busy",
        headers={"Retry-After": str(RETRY_BUSY_SECONDS)},
    )
    status, headers = asgi_head(response)
    await send({"type": "http.response.start", "status": status, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": response.content})


class EngineHttpProtocol(HttpToolsProtocol):
    """One connection. The head clock runs from the connection (or a kept-alive request's first
    byte) to the end of the head, and a trickle of bytes does not reset it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = settings.MEDIA_ENGINE
        self.head_timeout = limits["CLIENT_TIMEOUT"]
        self.max_connections = limits["MAX_CONNECTIONS"]
        self._head_timer = None
        self._head_bytes = 0
        self._head_tail = b""

    def connection_made(self, transport):
        super().connection_made(transport)
        self._await_head()

    def connection_lost(self, exc):
        self._head_received()
        super().connection_lost(exc)

    def data_received(self, data):
        if self._head_timer is not None and not self._count_head(data):
            self._head_received()
            self.transport.write(_head_too_large())
            self.transport.close()
            return
        super().data_received(data)

    def _count_head(self, data):
        """Add the part of ``data`` that belongs to the head being read (it ends at the first
        blank line; a body may follow in the same read); False once the head is too large.
        Counted before httptools sees the bytes, since it buffers a header of any length."""
        seen = self._head_tail + data
        end = seen.find(b"\r\n\r\n")
        self._head_bytes += len(data) if end == -1 else max(0, end + 4 - len(self._head_tail))
        self._head_tail = seen[-3:]
        return self._head_bytes <= MAX_HEAD_BYTES

    def on_message_begin(self):
        super().on_message_begin()
        self._await_head()

    def on_headers_complete(self):
        self._head_received()
        if len(self.connections) <= self.max_connections:
            return super().on_headers_complete()
        # uvicorn runs ``self.app`` for this request; for a process past its limit, the refusal.
        app, self.app = self.app, _server_busy
        try:
            return super().on_headers_complete()
        finally:
            self.app = app

    def _await_head(self):
        if self._head_timer is None and not self.transport.is_closing():
            self._head_bytes, self._head_tail = 0, b""
            self._head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _head_received(self):
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self):
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()
