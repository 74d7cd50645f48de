"""Who may open the hub: every check of a WebSocket upgrade, made before it is accepted.

The order matters. The attempt is counted first (the general rate policy), so a flood of bad
keys is limited before any key lookup; the ``Origin`` second, so a page on a foreign site is
refused without consuming a ticket it may have stolen; then the caller, through the one
principal resolution every HTTP request uses; last the negotiated connection token.
Once open, :func:`late_credential` keeps a connection from being judged by a key that its
messages name but its request did not carry.

The answer is either an :class:`Admission` or a Django response (the same refusals the HTTP
API sends, from :mod:`security.refusals`) that :mod:`intercom.denial` turns into a refused upgrade.
"""

from dataclasses import dataclass

from engine.errors import BadInput, DomainError, domain_error_response
from security import ratelimit, refusals
from security.origins import origin_allowed
from security.principal import InvalidCredentials, Principal, holds_key, presented_key, resolve_principal
from security.request_facts import RequestFacts, from_scope
from security.routes import HUB_PATH

from intercom import connections


@dataclass(frozen=True)
class Admission:
    principal: Principal
    connection_id: str | None
    #: The profile the connection acts for, read here, on the database thread.
    profile_id: int


def admit(scope):
    """An :class:`Admission` for an acceptable upgrade, else the HTTP response refusing it."""
    facts = from_scope(scope)
    decision = ratelimit.check_rate(facts, ratelimit.GENERAL)
    if decision is not None and not decision.allowed:
        return refusals.rate_refused(decision)
    if not origin_allowed(facts):
        return refusals.origin_refused()
    try:
        principal = resolve_principal(facts)
    except InvalidCredentials as exc:
        return refusals.credential_refused(exc)
    if principal is None:
        return refusals.not_authenticated()
    connection_ids = facts.query.get("id")
    if connection_ids is None:
        # skipNegotiation clients connect without negotiating, so without a token.
        return Admission(principal, None, principal.profile.pk)
    try:
        if len(connection_ids) != 1:
            raise BadInput("Give one connection id.")
        connections.redeem(connection_ids[0], principal)
    except DomainError as error:
        return domain_error_response(error)
    return Admission(principal, connection_ids[0], principal.profile.pk)


#: The hub's answer to a key that arrives inside a hub message.
LATE_CREDENTIAL = (
    "Connection closed with an error. A key inside a hub message is not read: this connection was "
    "admitted with the connection request's credentials, and this message names another. Send the "
    "key with the connection request: the X-Api-Key or Authorization: Bearer header, or the "
    "access_token query parameter."
)


def late_credential(principal, message):
    """The Close error for a hub message whose ``headers`` name a key the connection was not
    admitted with, else None.

    signalrcore and pysignalr copy their HTTP headers into every invocation; pysignalr's
    ``access_token_factory`` adds ``Authorization`` only after the socket opened, so on this
    machine such a client was admitted without a key, as the local Administrator, though it
    was configured with a Consumer key (or a wrong one). A key that arrives after the socket
    opened is not a credential, and is not ignored either: the connection ends. The key the
    connection was admitted with may be repeated.
    """
    headers = message.get("headers")
    if not isinstance(headers, dict) or not headers:
        return None
    facts = RequestFacts(
        peer=None, scheme="http", host=None, method="WEBSOCKET", path=HUB_PATH,
        headers={str(name).lower(): value for name, value in headers.items() if isinstance(value, str)},
    )
    try:
        plaintext = presented_key(facts)
    except InvalidCredentials:
        return LATE_CREDENTIAL  # credential-shaped (an Authorization header of another scheme)
    if plaintext is None or holds_key(principal, plaintext):
        return None
    return LATE_CREDENTIAL
