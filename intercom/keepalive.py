"""One hub connection's timers: the handshake deadline, pings, the client timeout and the key
backstop.

The hub pings every 15 seconds and closes a client silent for 30 (the official clients'
defaults, mirrored); a socket that never sends its handshake is closed after 15. Revocation
reaches a socket through its key's group within milliseconds; the periodic re-check of the key,
and one at its expiry time, is the backstop for a missed message (a Redis hiccup, a revocation
made while the socket was joining its groups). One task sleeps until the nearest deadline and is
woken early when the handshake moves them.
"""

import asyncio
import logging
from dataclasses import dataclass

from django.utils import timezone

from intercom import protocol

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Timings:
    """Seconds; ``IntercomConsumer.as_asgi(...)`` overrides them (tests use short ones)."""

    handshake_timeout: float = 15.0
    ping_interval: float = 15.0
    client_timeout: float = 30.0
    key_check_interval: float = 30.0


class KeepAlive:
    """Watches one connection; the connection reports what it receives and closes it itself.

    ``connection`` is the consumer: ``handshaken``, ``closed`` and ``principal``, and the
    coroutines ``send_messages``, ``close``, ``close_with_error``, ``key_still_active`` and
    ``join_groups``.
    """

    def __init__(self, connection, timings):
        self.connection = connection
        self.timings = timings

    def start(self):
        self.loop = asyncio.get_running_loop()
        now = self.loop.time()
        self.opened_at = self.last_received_at = now
        self.next_ping_at = now + self.timings.ping_interval
        self.next_key_check_at = now + self.timings.key_check_interval
        self.changed = asyncio.Event()
        self.task = self.loop.create_task(self._watch())

    def received(self):
        self.last_received_at = self.loop.time()

    def handshaken(self):
        """The first ping is due one interval after the handshake, not after the upgrade."""
        self.next_ping_at = self.loop.time() + self.timings.ping_interval
        self.changed.set()

    def stop(self):
        task = getattr(self, "task", None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def _watch(self):
        try:
            while not self.connection.closed:
                if not await self._tick(self.loop.time()):
                    return
                self.changed.clear()
                try:
                    await asyncio.wait_for(self.changed.wait(), self._pause())
                except TimeoutError:
                    pass
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("Hub connection watchdog failed; closing the connection.")
            await self.connection.close(protocol.POLICY_VIOLATION)

    async def _tick(self, now):
        """Act on every deadline that has passed; False once the connection is closed."""
        connection, timings = self.connection, self.timings
        if not connection.handshaken:
            if now - self.opened_at >= timings.handshake_timeout:
                await connection.close(protocol.POLICY_VIOLATION)
                return False
        elif now - self.last_received_at >= timings.client_timeout:
            await connection.close_with_error("Server timeout elapsed without receiving a message from the client.")
            return False
        if now >= self.next_key_check_at:
            self.next_key_check_at = now + timings.key_check_interval
            if not await connection.key_still_active():
                await connection.close_with_error("The API key was revoked or has expired.")
                return False
            # Both layers drop a group membership after a day (group_expiry), and the in-memory
            # one after a message waited a minute: rejoining keeps a long-lived or briefly
            # stalled connection receiving events and revocations.
            await connection.join_groups()
        if connection.handshaken and now >= self.next_ping_at:
            self.next_ping_at = now + timings.ping_interval
            await connection.send_messages(protocol.ping())
        return True

    def _pause(self):
        """Seconds until the nearest deadline, plus a hair so it has passed on waking."""
        timings = self.timings
        deadlines = [self.next_key_check_at, self._expiry_deadline()]
        if self.connection.handshaken:
            deadlines += [self.next_ping_at, self.last_received_at + timings.client_timeout]
        else:
            deadlines.append(self.opened_at + timings.handshake_timeout)
        return max(0.0, min(d for d in deadlines if d is not None) - self.loop.time()) + 0.01

    def _expiry_deadline(self):
        """When the connection's key expires, on the loop's clock; a passed expiry is re-checked now."""
        key = self.connection.principal.key
        if key is None or key.expires_at is None:
            return None
        now = self.loop.time()
        deadline = now + (key.expires_at - timezone.now()).total_seconds()
        if deadline <= now:
            self.next_key_check_at = now
        return deadline
