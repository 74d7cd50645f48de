"""The Intercom hub: one SignalR JSON-protocol connection per instance.

Life of a connection: the upgrade is judged by :func:`intercom.admission.admit` and refused
before ``accept`` when it fails; the accepted socket then has 15 seconds to send its handshake;
afterwards the hub pings every 15 seconds and closes a client silent for 30 seconds (the
official clients' defaults, mirrored). Events arrive from the channel layer already encoded.

Revocation reaches a socket through its key's group (within milliseconds of the commit); the
periodic re-check of the key, and one at its expiry time, is the backstop for a missed
message (a Redis hiccup, a revocation made while the socket was joining its groups).
"""

import asyncio
import logging

from channels.consumer import AsyncConsumer, get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from django.utils import timezone

from intercom import denial, events, groups, protocol
from intercom.admission import Admission, admit
from security import refusals
from security.models import ApiKey

logger = logging.getLogger(__name__)

NORMAL_CLOSURE = 1000
POLICY_VIOLATION = 1008
MESSAGE_TOO_BIG = 1009
#: The largest message (or unterminated start of one) the hub buffers; uvicorn refuses larger
#: frames itself (``ws_max_size``), this covers other servers and messages split over frames.
MAX_MESSAGE_CHARS = 1024 * 1024


class IntercomConsumer(AsyncConsumer):
    handshake_timeout = 15.0
    ping_interval = 15.0
    client_timeout = 30.0
    key_check_interval = 30.0

    def __init__(self, **timeouts):
        """``as_asgi(handshake_timeout=..., ...)`` overrides the timings (tests use short ones)."""
        for name, seconds in timeouts.items():
            if not hasattr(type(self), name):
                raise TypeError(f"unknown setting {name}")
            setattr(self, name, float(seconds))

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
        self.groups = groups.for_principal(self.principal)
        self.buffer = ""
        self.handshaken = False
        self.closed = False
        self.topics = set(events.EVENTS)
        try:
            for group in self.groups:
                await self.channel_layer.group_add(group, self.channel_name)
        except Exception:
            # The channel layer (Redis) is down or its pooled connection died with a restart:
            # a socket that could receive no event is refused with a clear 503, not a 500.
            logger.exception("Hub connection refused: the channel layer is unavailable.")
            await denial.refuse(self.scope, self.send, refusals.hub_unavailable())
            raise StopConsumer from None
        if not await self._key_still_active():
            # Revoked between the check above and joining the key's group.
            await self.channel_layer_leave()
            await denial.refuse(self.scope, self.send, refusals.invalid_credentials())
            raise StopConsumer
        loop = asyncio.get_running_loop()
        events.attach_loop(loop)
        await self.send({"type": "websocket.accept"})
        now = loop.time()
        self.opened_at = self.last_received_at = now
        self.next_ping_at = now + self.ping_interval
        self.next_key_check_at = now + self.key_check_interval
        self.timers_changed = asyncio.Event()
        self.watchdog = loop.create_task(self._watch())

    async def websocket_receive(self, message):
        if self.closed:
            return
        text = message.get("text")
        if text is None:
            try:
                text = (message.get("bytes") or b"").decode("utf-8")
            except UnicodeDecodeError:
                await self._close_with_error("Message is not valid UTF-8.")
                return
        self.last_received_at = asyncio.get_running_loop().time()
        self.buffer += text
        records, self.buffer = protocol.split_records(self.buffer)
        if len(self.buffer) > MAX_MESSAGE_CHARS or any(len(record) > MAX_MESSAGE_CHARS for record in records):
            await self._close_with_error("Message is too large.", code=MESSAGE_TOO_BIG)
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
        await self._close_with_error("The API key was revoked.", code=NORMAL_CLOSURE)

    # The hub protocol.

    async def _handshake(self, record):
        try:
            protocol.parse_handshake(record)
        except protocol.ProtocolError as exc:
            await self.send({"type": "websocket.send", "text": protocol.handshake_response(str(exc))})
            await self._close(NORMAL_CLOSURE)
            return
        self.handshaken = True
        self.next_ping_at = asyncio.get_running_loop().time() + self.ping_interval
        self.timers_changed.set()
        await self.send({"type": "websocket.send", "text": protocol.handshake_response()})

    async def _handle(self, record):
        try:
            message = protocol.parse_message(record)
        except protocol.ProtocolError as exc:
            await self._close_with_error(f"Connection closed with an error. {exc}")
            return
        kind = message["type"]
        if kind == protocol.INVOCATION:
            await self._invoke(message)
        elif kind == protocol.STREAM_INVOCATION:
            await self._reply(message, error="The hub has no streaming methods.")
        elif kind == protocol.CLOSE:
            await self._close(NORMAL_CLOSURE)
        elif kind in (protocol.PING, protocol.COMPLETION, protocol.CANCEL_INVOCATION, protocol.ACK, protocol.SEQUENCE):
            pass  # receiving it was the point (keep-alive), or there is nothing to cancel or resend
        else:
            await self._close_with_error(f"Connection closed with an error. Unknown message type {kind}.")

    async def _invoke(self, message):
        target, arguments = message.get("target"), message.get("arguments", [])
        if not isinstance(target, str) or not isinstance(arguments, list):
            await self._close_with_error("Connection closed with an error. Invalid invocation.")
            return
        method = HUB_METHODS.get(target)
        if method is None:
            await self._reply(message, error=f"Unknown hub method '{target[:100]}'")
            return
        handler, arity = method
        if len(arguments) != arity:
            await self._reply(
                message, error=f"Invocation provides {len(arguments)} argument(s) but target expects {arity}."
            )
            return
        try:
            result = handler(self, *arguments)
        except ValueError as exc:
            await self._reply(message, error=str(exc))
            return
        await self._reply(message, result=result)

    async def _reply(self, message, *, result=None, error=None):
        invocation_id = message.get("invocationId")
        if isinstance(invocation_id, str):
            await self._send_messages(protocol.completion(invocation_id, result=result, error=error))

    def subscribe(self, topics):
        self.topics |= _topics(topics)
        return sorted(self.topics)

    def unsubscribe(self, topics):
        self.topics -= _topics(topics)
        return sorted(self.topics)

    def ping(self):
        return "Pong"

    # Keep-alive, timeouts and the key backstop.

    async def _watch(self):
        loop = asyncio.get_running_loop()
        try:
            while not self.closed:
                now = loop.time()
                if not self.handshaken:
                    if now - self.opened_at >= self.handshake_timeout:
                        await self._close(POLICY_VIOLATION)
                        return
                elif now - self.last_received_at >= self.client_timeout:
                    await self._close_with_error("Server timeout elapsed without receiving a message from the client.")
                    return
                if now >= self.next_key_check_at:
                    self.next_key_check_at = now + self.key_check_interval
                    if not await self._key_still_active():
                        await self._close_with_error("The API key was revoked or has expired.", code=NORMAL_CLOSURE)
                        return
                    # Both layers drop a group membership after a day (group_expiry), and the
                    # in-memory one after a message waited a minute: rejoining keeps a
                    # long-lived or briefly stalled connection receiving events and revocations.
                    for group in self.groups:
                        await self.channel_layer.group_add(group, self.channel_name)
                if self.handshaken and now >= self.next_ping_at:
                    self.next_ping_at = now + self.ping_interval
                    await self._send_messages(protocol.ping())
                deadlines = [self.next_key_check_at, self._expiry_deadline(loop)]
                deadlines.append(self.opened_at + self.handshake_timeout if not self.handshaken else self.next_ping_at)
                if self.handshaken:
                    deadlines.append(self.last_received_at + self.client_timeout)
                pause = max(0.0, min(d for d in deadlines if d is not None) - loop.time()) + 0.01
                self.timers_changed.clear()
                try:
                    await asyncio.wait_for(self.timers_changed.wait(), pause)
                except TimeoutError:
                    pass
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Hub connection watchdog failed; closing the connection.")
            await self._close(POLICY_VIOLATION)

    def _expiry_deadline(self, loop):
        key = self.principal.key
        if key is None or key.expires_at is None:
            return None
        deadline = loop.time() + (key.expires_at - timezone.now()).total_seconds()
        if deadline <= loop.time():
            self.next_key_check_at = loop.time()
        return deadline

    async def _key_still_active(self):
        key = self.principal.key
        if key is None:
            return True
        return await database_sync_to_async(_key_is_active)(key.pk)

    # Sending and closing.

    async def _send_messages(self, *messages):
        if not self.closed:
            await self.send({"type": "websocket.send", "text": protocol.encode(*messages)})

    async def _close_with_error(self, error, code=NORMAL_CLOSURE):
        """A SignalR Close message (clients report its error), then the WebSocket close."""
        if self.closed:
            return
        if self.handshaken:
            await self._send_messages(protocol.close(error))
        await self._close(code)

    async def _close(self, code):
        if self.closed:
            return
        await self._shut()
        await self.send({"type": "websocket.close", "code": code})

    async def _shut(self):
        if getattr(self, "closed", True):
            return
        self.closed = True
        watchdog = getattr(self, "watchdog", None)
        if watchdog is not None and watchdog is not asyncio.current_task():
            watchdog.cancel()
        await self.channel_layer_leave()

    async def channel_layer_leave(self):
        for group in self.groups:
            await self.channel_layer.group_discard(group, self.channel_name)


def _topics(topics):
    if isinstance(topics, str):
        topics = [topics]
    if not isinstance(topics, list) or not all(isinstance(topic, str) for topic in topics):
        raise ValueError("Topics must be a list of event names.")
    unknown = sorted(set(topics) - events.EVENTS)
    if unknown:
        raise ValueError(f"Unknown topic '{unknown[0][:100]}'.")
    return set(topics)


def _key_is_active(pk):
    return ApiKey.objects.active().filter(pk=pk).exists()


#: Methods clients may invoke: name → (function, number of arguments).
HUB_METHODS = {
    "Subscribe": (IntercomConsumer.subscribe, 1),
    "Unsubscribe": (IntercomConsumer.unsubscribe, 1),
    "Ping": (IntercomConsumer.ping, 0),
}
