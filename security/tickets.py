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
- the ticket names the issuing key, not a role: at use the key is looked up again through
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
_LOCALHOST = "localhost"


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
    holder = principal.key.key_id if principal.key is not None else _LOCALHOST
    cache.set(_cache_key(ticket), holder, timeout=int(LIFETIME.total_seconds()))
    return IssuedTicket(ticket=ticket, expires_at=timezone.now() + LIFETIME)


def redeem(ticket, facts):
    """The principal a ticket stands for, consuming it; :class:`InvalidCredentials` otherwise."""
    from security.localhost import is_local_request
    from security.models import ApiKey
    from security.principal import LOCALHOST, InvalidCredentials, Principal
    from security.roles import Role

    if not TICKET_PATTERN.match(ticket):
        raise InvalidCredentials("Invalid or expired ticket.")
    entry = _cache_key(ticket)
    holder = cache.get(entry)
    if holder is None or not cache.delete(entry):
        raise InvalidCredentials("Invalid or expired ticket.")
    if holder == _LOCALHOST:
        if not is_local_request(facts):
            raise InvalidCredentials("Invalid or expired ticket.")
        return LOCALHOST
    key = ApiKey.objects.active().filter(key_id=holder).first()
    if key is None:
        raise InvalidCredentials("Invalid or expired ticket.")
    return Principal(role=Role(key.role), key=key, via="ticket")
