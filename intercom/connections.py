"""Connection tokens handed out by negotiate and redeemed once by the WebSocket that follows.

A token is bound to the caller that negotiated it (its key id, or the localhost bypass), so a
token seen with key A is worthless with key B. Stored as a digest in the Django cache (shared
by every process when Redis is configured); :func:`redeem` marks it used with ``cache.add``,
which is atomic in both backends, so a second socket with the same token gets 409.
"""

import hashlib
import secrets

from django.core.cache import cache

from engine.errors import Conflict, NotFound

#: How long a negotiated token waits for its WebSocket, and how long a used one is remembered.
LIFETIME_SECONDS = 120
_TOKEN_PREFIX = "hub-connection:"
_USED_PREFIX = "hub-connection-used:"


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_connection(principal, negotiate_version):
    """``(connection_id, connection_token)`` for a negotiate response.

    Negotiate version 0 has no token: the client sends the connection id as ``id``.
    """
    connection_id = secrets.token_urlsafe(16)
    token = secrets.token_urlsafe(32) if negotiate_version >= 1 else connection_id
    cache.set(_TOKEN_PREFIX + _digest(token), principal.holder, timeout=LIFETIME_SECONDS)
    return connection_id, token


def redeem(token, principal):
    """Use a token for ``principal``'s WebSocket: :class:`NotFound` if it is not theirs to use
    (unknown, expired, or negotiated by another caller), :class:`Conflict` if already used."""
    digest = _digest(token)
    holder = cache.get(_TOKEN_PREFIX + digest)
    if holder is None or not secrets.compare_digest(holder, principal.holder):
        raise NotFound("No connection with this id.")
    if not cache.add(_USED_PREFIX + digest, 1, timeout=LIFETIME_SECONDS):
        raise Conflict("This connection id is already in use.", "connection_in_use")
