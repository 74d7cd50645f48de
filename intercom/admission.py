"""Who may open the hub: every check of a WebSocket upgrade, made before it is accepted.

The order matters. The attempt is counted first (the general rate policy), so a flood of bad
keys is limited before any key lookup; the ``Origin`` second, so a page on a foreign site is
refused without consuming a ticket it may have stolen; then the caller, through the one
principal resolution every HTTP request uses; last the negotiated connection token.

The answer is either an :class:`Admission` or a Django response (the same refusals the HTTP
API sends, from :mod:`security.refusals`) that :mod:`intercom.denial` turns into a refused upgrade.
"""

from dataclasses import dataclass

from engine.errors import BadInput, DomainError, domain_error_response
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
    try:
        if len(connection_ids) != 1:
            raise BadInput("Give one connection id.")
        connections.redeem(connection_ids[0], principal)
    except DomainError as error:
        return domain_error_response(error)
    return Admission(principal, connection_ids[0])
