"""The channel layer of the embedded default: Channels' in-memory layer, without its O(n²).

``InMemoryChannelLayer`` sweeps every channel and every group membership for expired entries on
each ``receive``. Each hub connection receives every event, so one event to 500 connections cost
500 sweeps of 1,500 entries; measured, fan-out to 500 clients took over a second (p50). Sweeping
at most once a second keeps the same expiry rules at a constant cost per message.
"""

import asyncio
import time

from channels.layers import InMemoryChannelLayer


class InProcessChannelLayer(InMemoryChannelLayer):
    sweep_interval = 1.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._next_sweep = 0.0

    def _clean_expired(self):
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.sweep_interval
        super()._clean_expired()

    async def group_send(self, group, message):
        """Like the parent's, but one shallow copy per member instead of a ``deepcopy``.

        Hub messages hold only strings, which nobody can mutate; the deep copy was the largest
        single cost of fanning an event out to many connections.
        """
        self.require_valid_group_name(group)
        self._clean_expired()
        for channel in list(self.groups.get(group, {})):
            queue = self.channels.setdefault(channel, asyncio.Queue(maxsize=self.get_capacity(channel)))
            try:
                queue.put_nowait((time.time() + self.expiry, dict(message)))
            except asyncio.QueueFull:
                pass  # a connection that stopped reading loses events, as with every layer
