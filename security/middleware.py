"""Deny by default: no URL answers without a principal unless it is on the exempt list.

The check runs before URL resolution, so a route added later without permission classes is
still protected, and an anonymous caller cannot tell an unknown path (401) from a known one.
"""

from security import refusals
from security.principal import InvalidCredentials, resolve_principal
from security.request_facts import from_request
from security.routes import OPEN_PATHS, is_unguarded


class PrincipalMiddleware:
    """Resolves the caller once per request and refuses anonymous ones outside the exempt list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if is_unguarded(path):
            request.principal = None
            return self.get_response(request)
        try:
            request.principal = resolve_principal(from_request(request))
        except InvalidCredentials as exc:
            if path in OPEN_PATHS:
                request.principal = None
            else:
                return refusals.credential_refused(exc)
        if request.principal is None and path not in OPEN_PATHS:
            return refusals.not_authenticated()
        return self.get_response(request)
