"""Connection tokens handed out by negotiate and redeemed once by the WebSocket that follows.

A token is bound to the caller that negotiated it (its key id, or the localhost bypass), so a
token seen with key A is worthless with key B. Stored as a digest in the Django cache (shared
by every process when Redis is configured); :func:`claim` marks it used with ``cache.add``,
which is atomic in both backends, so a second socket with the same token gets 409.
"""

import hashlib
import secrets
from enum import Enum

from django.core.cache import cache

#: How long a negotiated token waits for its WebSocket, and how long a used one is remembered.
LIFETIME_SECONDS = 120
_TOKEN_PREFIX = "hub-connection:"
_CLAIM_PREFIX = "hub-connection-used:"


class Claim(Enum):
    ACCEPTED = "accepted"
    UNKNOWN = "unknown"
    REUSED = "reused"


def _holder(principal):
    return principal.key.key_id if principal.key is not None else "localhost"


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_connection(principal, negotiate_version):
    """``(connection_id, connection_token)`` for a negotiate response.

    Negotiate version 0 has no token: the client sends the connection id as ``id``.
    """
    connection_id = secrets.token_urlsafe(16)
    token = secrets.token_urlsafe(32) if negotiate_version >= 1 else connection_id
    cache.set(_TOKEN_PREFIX + _digest(token), _holder(principal), timeout=LIFETIME_SECONDS)
    return connection_id, token


def claim(token, principal):
    """Redeem a token for ``principal``'s WebSocket."""
    digest = _digest(token)
    holder = cache.get(_TOKEN_PREFIX + digest)
    if holder is None or not secrets.compare_digest(holder, _holder(principal)):
        return Claim.UNKNOWN
    if not cache.add(_CLAIM_PREFIX + digest, 1, timeout=LIFETIME_SECONDS):
        return Claim.REUSED
    return Claim.ACCEPTED
