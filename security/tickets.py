"""Hub tickets: short-lived, single-use stand-ins for an API key in a WebSocket URL.

Browsers cannot set headers on a WebSocket, so the hub accepts its credential as the
``access_token`` query parameter, where proxies and browser histories may record it. A page
that holds a key asks ``POST /hubs/intercom/ticket`` for a ticket and puts that in the URL
instead: it is worth nothing after one use or ~30 seconds.

- ``mht_`` + 256 random bits: recognisable in a log, and never the shape of a key (``mek_``),
  so it is never looked up as one;
- only a SHA-256 digest is stored, in the Django cache (local memory on the embedded default,
  Redis when the engine runs in several processes), with the ticket's lifetime as its timeout;
- single use: the one caller whose ``cache.delete`` removes the entry redeems it, atomic in both
  backends, so two racing connections cannot both get in;
- the ticket names its holder (the issuing key's public id), not a role: :func:`redeem` hands
  the holder back and ``security.principal`` looks the key up again through
  ``ApiKey.objects.active()``, so a ticket dies with the revocation or expiry of its key.
  A ticket issued to the localhost bypass is only good for another local connection.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone

PREFIX = "mht_"
LIFETIME = timedelta(seconds=30)
TICKET_PATTERN = re.compile(r"^mht_[A-Za-z0-9_-]{43}$")
_CACHE_PREFIX = "hub-ticket:"
#: The holder of what the localhost bypass is issued (it has no key id).
LOCALHOST_HOLDER = "localhost"


@dataclass(frozen=True)
class IssuedTicket:
    ticket: str
    expires_at: object


def looks_like_ticket(text):
    """Whether ``text`` is shaped like a ticket (it may still be unknown, used or expired)."""
    return isinstance(text, str) and text.startswith(PREFIX)


def _cache_key(ticket):
    return _CACHE_PREFIX + hashlib.sha256(ticket.encode("ascii")).hexdigest()


def issue(principal):
    """A new ticket standing for ``principal`` (a key's principal or the localhost one)."""
    ticket = PREFIX + secrets.token_urlsafe(32)
    cache.set(_cache_key(ticket), principal.holder, timeout=int(LIFETIME.total_seconds()))
    return IssuedTicket(ticket=ticket, expires_at=timezone.now() + LIFETIME)


def redeem(ticket):
    """Consume ``ticket`` and return its holder (a key id or :data:`LOCALHOST_HOLDER`), or None
    when it is malformed, unknown, used or expired."""
    if not TICKET_PATTERN.match(ticket):
        return None
    entry = _cache_key(ticket)
    holder = cache.get(entry)
    if holder is None or not cache.delete(entry):
        return None
    return holder
