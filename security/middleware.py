"""Deny by default: no URL answers without a principal unless it is on the exempt list.

The check runs before URL resolution, so a route added later without permission classes is
still protected, and an anonymous caller cannot tell an unknown path (401) from a known one.
"""

from security import refusals
from security.principal import InvalidCredentials, resolve_principal
from security.request_facts import early_decisions, from_request
from security.routes import OPEN_PATHS, is_unguarded


def judge_caller(facts):
    """``(principal, refusal)``: who is calling, and the 401 that turns them away, if any.

    The open probe serves nobody as well (a bad or misplaced key there buys nothing, not even the
    bypass); the Django admin has its own staff login.
    """
    if is_unguarded(facts.path):
        return None, None
    try:
        principal = resolve_principal(facts)
    except InvalidCredentials as exc:
        if facts.path in OPEN_PATHS:
            return None, None
        return None, refusals.credential_refused(exc, path=facts.path)
    if principal is None and facts.path not in OPEN_PATHS:
        return None, refusals.not_authenticated(path=facts.path)
    return principal, None


class PrincipalMiddleware:
    """Resolves the caller once per request and refuses anonymous ones outside the exempt list.

    A request that carried a body was judged before it was read (``security.gate``); its
    principal is taken from there.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        early = early_decisions(request)
        if early is not None and early.judged:
            request.principal = early.principal
            return self.get_response(request)
        request.principal, refusal = judge_caller(from_request(request))
        if refusal is not None:
            return refusal
        return self.get_response(request)
