"""The Intercom hub: one SignalR JSON-protocol connection per instance.

Life of a connection: the upgrade is judged by :func:`intercom.admission.admit` and refused
before ``accept`` when it fails; once accepted, :class:`~intercom.keepalive.KeepAlive` keeps its
timers (handshake deadline, pings, client timeout, the key backstop), the client's invocations
go to :mod:`intercom.hub_methods`, and events arrive from the channel layer already encoded.
Revocation reaches a socket through its key's group, within milliseconds of the commit.
"""

import asyncio
import logging

from channels.consumer import AsyncConsumer, get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer

from intercom import denial, events, groups, hub_methods, protocol
from intercom.admission import Admission, admit, late_credential
from intercom.budget import InvocationBudget
from intercom.keepalive import KeepAlive, Timings
from security import refusals
from security.models import ApiKey

logger = logging.getLogger(__name__)

#: The largest message (or unterminated start of one) the hub buffers; uvicorn refuses larger
#: frames itself (``ws_max_size``), this covers other servers and messages split over frames.
MAX_MESSAGE_CHARS = 1024 * 1024
#: Messages that need no answer: receiving one was the point (keep-alive), or there is nothing
#: to cancel or resend.
_IGNORED = frozenset({protocol.PING, protocol.COMPLETION, protocol.CANCEL_INVOCATION, protocol.ACK, protocol.SEQUENCE})


class IntercomConsumer(AsyncConsumer):
    timings = Timings()

    def __init__(self, **timings):
        """``as_asgi(handshake_timeout=..., ...)`` overrides the :class:`Timings` (tests use short ones)."""
        unknown = set(timings) - set(Timings.__dataclass_fields__)
        if unknown:
            raise TypeError(f"unknown setting {sorted(unknown)[0]}")
        self.timings = Timings(**{name: float(seconds) for name, seconds in timings.items()})

    async def dispatch(self, message):
        """Channels' dispatch without its per-message hop to the database thread.

        ``AsyncConsumer.dispatch`` runs ``close_old_connections`` in the thread pool before every
        message; for a hub that forwards each event to every socket that hop was most of the
        cost of a fan-out. The handlers that use the database do so through
        ``database_sync_to_async``, which closes stale connections itself.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message):
        outcome = await database_sync_to_async(admit)(self.scope)
        if not isinstance(outcome, Admission):
            await denial.refuse(self.scope, self.send, outcome)
            raise StopConsumer
        self.principal = outcome.principal
        self.connection_id = outcome.connection_id
        self.groups = groups.for_principal(self.principal, outcome.profile_id)
        self.buffer = ""
        self.handshaken = False
        self.closed = False
        self.topics = set(events.EVENTS)
        self.budget = InvocationBudget()
        self.keepalive = KeepAlive(self, self.timings)
        try:
            await self.join_groups()
        except Exception:
            # The channel layer (Redis) is down or its pooled connection died with a restart:
            # a socket that could receive no event is refused with a clear 503, not a 500.
            logger.exception("Hub connection refused: the channel layer is unavailable.")
            await denial.refuse(self.scope, self.send, refusals.hub_unavailable())
            raise StopConsumer from None
        if not await self.key_still_active():
            # Revoked between the check above and joining the key's group.
            await self.leave_groups()
            await denial.refuse(self.scope, self.send, refusals.invalid_credentials())
            raise StopConsumer
        events.attach_loop(asyncio.get_running_loop())
        await self.send({"type": "websocket.accept"})
        self.keepalive.start()

    async def websocket_receive(self, message):
        if self.closed:
            return
        text = message.get("text")
        if text is None:
            try:
                text = (message.get("bytes") or b"").decode("utf-8")
            except UnicodeDecodeError:
                await self.close_with_error("Message is not valid UTF-8.")
                return
        self.keepalive.received()
        self.buffer += text
        records, self.buffer = protocol.split_records(self.buffer)
        if len(self.buffer) > MAX_MESSAGE_CHARS or any(len(record) > MAX_MESSAGE_CHARS for record in records):
            await self.close_with_error("Message is too large.", code=protocol.MESSAGE_TOO_BIG)
            return
        for record in records:
            if self.closed:
                return
            if not self.handshaken:
                await self._handshake(record)
            else:
                await self._handle(record)

    async def websocket_disconnect(self, message):
        await self._shut()
        raise StopConsumer

    # Channel-layer messages.

    async def intercom_event(self, message):
        if self.handshaken and not self.closed and message.get("event") in self.topics:
            await self.send({"type": "websocket.send", "text": message["text"]})

    async def intercom_revoked(self, message):
        await self.close_with_error("The API key was revoked.")

    # The hub protocol.

    async def _handshake(self, record):
        try:
            protocol.parse_handshake(record)
        except protocol.ProtocolError as exc:
            await self.send({"type": "websocket.send", "text": protocol.handshake_response(str(exc))})
            await self.close(protocol.NORMAL_CLOSURE)
            return
        self.handshaken = True
        self.keepalive.handshaken()
        await self.send({"type": "websocket.send", "text": protocol.handshake_response()})

    async def _handle(self, record):
        try:
            message = protocol.parse_message(record)
        except protocol.ProtocolError as exc:
            await self.close_with_error(f"Connection closed with an error. {exc}")
            return
        refusal = late_credential(self.principal, message)
        if refusal is not None:
            await self.close_with_error(refusal)
            return
        kind = message["type"]
        if kind in (protocol.INVOCATION, protocol.STREAM_INVOCATION) and not self.budget.spend():
            await self.close_with_error(self.budget.exhausted_message(), code=protocol.POLICY_VIOLATION)
            return
        if kind == protocol.INVOCATION:
            await self._invoke(message)
        elif kind == protocol.STREAM_INVOCATION:
            await self._reply(message, error="The hub has no streaming methods.")
        elif kind == protocol.CLOSE:
            await self.close(protocol.NORMAL_CLOSURE)
        elif kind not in _IGNORED:
            await self.close_with_error(f"Connection closed with an error. Unknown message type {kind}.")

    async def _invoke(self, message):
        target, arguments = message.get("target"), message.get("arguments", [])
        if not isinstance(target, str) or not isinstance(arguments, list):
            await self.close_with_error("Connection closed with an error. Invalid invocation.")
            return
        try:
            result = hub_methods.invoke(self, target, arguments)
        except hub_methods.InvocationError as exc:
            await self._reply(message, error=str(exc))
            return
        await self._reply(message, result=result)

    async def _reply(self, message, *, result=None, error=None):
        invocation_id = message.get("invocationId")
        if isinstance(invocation_id, str):
            await self.send_messages(protocol.completion(invocation_id, result=result, error=error))

    # The connection, as the keep-alive sees it.

    async def key_still_active(self):
        key = self.principal.key
        if key is None:
            return True
        return await database_sync_to_async(_key_is_active)(key.pk)

    async def join_groups(self):
        for group in self.groups:
            await self.channel_layer.group_add(group, self.channel_name)

    async def leave_groups(self):
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def send_messages(self, *messages):
        if not self.closed:
            await self.send({"type": "websocket.send", "text": protocol.encode(*messages)})

    async def close_with_error(self, error, code=protocol.NORMAL_CLOSURE):
        """A SignalR Close message (clients report its error), then the WebSocket close."""
        if self.closed:
            return
        if self.handshaken:
            await self.send_messages(protocol.close(error))
        await self.close(code)

    async def close(self, code):
        if self.closed:
            return
        await self._shut()
        await self.send({"type": "websocket.close", "code": code})

    async def _shut(self):
        if getattr(self, "closed", True):
            return
        self.closed = True
        self.keepalive.stop()
        await self.leave_groups()


def _key_is_active(pk):
    return ApiKey.objects.active().filter(pk=pk).exists()
