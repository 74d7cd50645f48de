"""Who may open the hub: every check of a WebSocket upgrade, made before it is accepted.

The order matters. The attempt is counted first (the general rate policy), so a flood of bad
keys is limited before any key lookup; the ``Origin`` second, so a page on a foreign site is
refused without consuming a ticket it may have stolen; then the caller, through the one
principal resolution every HTTP request uses; last the negotiated connection token.

The answer is either an :class:`Admission` or a Django response (the same refusals the HTTP
API sends, from :mod:`security.refusals`) that :mod:`intercom.denial` turns into a refused upgrade.
"""

from dataclasses import dataclass

from engine.errors import error_response
from security import ratelimit, refusals
from security.origins import origin_allowed
from security.principal import InvalidCredentials, Principal, resolve_principal
from security.request_facts import from_scope

from intercom import connections


@dataclass(frozen=True)
class Admission:
    principal: Principal
    connection_id: str | None


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
        return refusals.invalid_credentials(exc.detail)
    if principal is None:
        return refusals.not_authenticated()
    connection_ids = facts.query.get("id")
    if connection_ids is None:
        # skipNegotiation clients connect without negotiating, so without a token.
        return Admission(principal, None)
    if len(connection_ids) != 1:
        return error_response(400, "Give one connection id.", "invalid")
    outcome = connections.claim(connection_ids[0], principal)
    if outcome is connections.Claim.UNKNOWN:
        return error_response(404, "No connection with this id.", "not_found")
    if outcome is connections.Claim.REUSED:
        return error_response(409, "This connection id is already in use.", "connection_in_use")
    return Admission(principal, connection_ids[0])
