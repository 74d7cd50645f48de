"""How many invocations one hub connection may make: ``MEDIA_ENGINE_HUB_INVOCATION_RATE``.

Each invocation costs the server a parse, a method call and a Completion sent back; 4,000 sent
on one socket within 0.2 s were all answered. The budget is a bucket per connection, in the
process that holds the socket: full at the start (a client subscribing to every topic at once
is not punished), refilled at the rate's pace. Connections are counted by the rate limits
already (general policy, one attempt per upgrade); this bounds what one connection does.
"""

import time

from django.conf import settings

from security.ratelimit import parse_rate


class InvocationBudget:
    def __init__(self, rate=None, clock=time.monotonic):
        self.text = rate or settings.MEDIA_ENGINE["HUB_INVOCATION_RATE"]
        self.capacity, self.period = parse_rate(self.text)
        self.clock = clock
        self.tokens, self.updated = float(self.capacity), clock()

    def spend(self):
        """Take one invocation from the budget; False when it is spent."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.capacity / self.period)
        self.updated = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def exhausted_message(self):
        return (
            f"Too many invocations: this hub takes at most {self.text} per connection "
            "(MEDIA_ENGINE_HUB_INVOCATION_RATE)."
        )
