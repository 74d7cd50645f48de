"""A raw ASGI WebSocket driver for the hub tests, and the fixtures they share.

Channels' ``WebsocketCommunicator`` cannot express what the hub's tests need: the TCP peer,
the server's ``websocket.http.response`` extension, and the denial response that comes back
instead of ``accept``. :class:`HubSocket` builds the scope a real server would.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache

from tests.conftest import REMOTE, REMOTE_HOST

RS = "\x1e"


@dataclass
class Refused:
    """What a client sees of a refused upgrade."""

    status: int
    headers: dict
    body: dict | None


class HubSocket:
    def __init__(
        self, *, key=None, bearer=None, access_token=None, peer=REMOTE, host=REMOTE_HOST, origin=None,
        headers=None, query=None, path="/hubs/intercom", denial_extension=True, application=None,
    ):
        if application is None:
            from engine.asgi import application
        raw_headers = [(b"host", host.encode())]
        if key is not None:
            raw_headers.append((b"x-api-key", key.encode()))
        if bearer is not None:
            raw_headers.append((b"authorization", f"Bearer {bearer}".encode()))
        if origin is not None:
            raw_headers.append((b"origin", origin.encode()))
        for name, value in (headers or {}).items():
            raw_headers.append((name.lower().encode(), value.encode()))
        params = dict(query or {})
        if access_token is not None:
            params["access_token"] = access_token
        scope = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "scheme": "ws",
            "http_version": "1.1",
            "path": path,
            "raw_path": path.encode(),
            "query_string": urlencode(params).encode(),
            "headers": raw_headers,
            "client": (peer, 50123),
            "server": ("127.0.0.1", 8000),
            "subprotocols": [],
            "extensions": {"websocket.http.response": {}} if denial_extension else {},
        }
        self.communicator = ApplicationCommunicator(application, scope)

    async def connect(self):
        """``True`` when accepted, else a :class:`Refused` (or the close code without the extension)."""
        await self.communicator.send_input({"type": "websocket.connect"})
        message = await self.communicator.receive_output(5)
        if message["type"] == "websocket.accept":
            return True
        if message["type"] == "websocket.close":
            return message.get("code")
        assert message["type"] == "websocket.http.response.start", message
        body_message = await self.communicator.receive_output(5)
        headers = {name.decode().lower(): value.decode() for name, value in message["headers"]}
        body = json.loads(body_message["body"]) if body_message["body"] else None
        return Refused(message["status"], headers, body)

    async def send_text(self, text):
        await self.communicator.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data):
        await self.communicator.send_input({"type": "websocket.receive", "bytes": data})

    async def send_messages(self, *messages):
        await self.send_text("".join(json.dumps(message) + RS for message in messages))

    async def handshake(self, version=1):
        await self.send_text(json.dumps({"protocol": "json", "version": version}) + RS)
        assert await self.receive_messages() == [{}]

    async def receive(self, timeout=5):
        """The next output message: a ``websocket.send`` text or a ``websocket.close``."""
        return await self.communicator.receive_output(timeout)

    async def receive_messages(self, timeout=5):
        """The hub messages of the next frame, which must be a text frame."""
        message = await self.receive(timeout)
        assert message["type"] == "websocket.send", message
        assert "text" in message and message.get("bytes") is None, "the hub must send text frames"
        assert message["text"].endswith(RS)
        return [json.loads(record) for record in message["text"].split(RS)[:-1]]

    async def receive_skipping_pings(self, timeout=5):
        while True:
            messages = [m for m in await self.receive_messages(timeout) if m.get("type") != 6]
            if messages:
                return messages

    async def expect_closed(self, timeout=5):
        """Reads frames until the socket closes; returns (hub Close message or None, close code)."""
        close_message = None
        while True:
            message = await self.receive(timeout)
            if message["type"] == "websocket.close":
                return close_message, message.get("code")
            for record in message["text"].split(RS)[:-1]:
                parsed = json.loads(record)
                if parsed.get("type") == 7:
                    close_message = parsed

    async def nothing_received(self):
        return await self.communicator.receive_nothing(timeout=0.2)

    async def disconnect(self):
        await self.communicator.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.communicator.wait(5)


@pytest.fixture
def hub_layer(settings):
    """A fresh in-memory channel layer and an empty cache (rate buckets, tickets) per test."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "intercom.layers.InProcessChannelLayer"}}
    cache.clear()
    yield
    cache.clear()
