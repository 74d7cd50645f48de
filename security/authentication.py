"""DRF's side of authentication: it reads the principal that the middleware resolved."""

from rest_framework import authentication, exceptions

from security.principal import InvalidCredentials, resolve_principal
from security.refusals import challenge_for
from security.request_facts import from_request

_UNRESOLVED = object()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """Authenticates with the key :func:`~security.principal.presented_key` finds, or the localhost bypass.

    ``authenticate_header`` is what makes DRF answer 401 (with ``WWW-Authenticate``) rather than
    403 to a caller without credentials.
    """

    def authenticate(self, request):
        principal = getattr(request._request, "principal", _UNRESOLVED)
        if principal is _UNRESOLVED:
            try:
                principal = resolve_principal(from_request(request._request))
            except InvalidCredentials as exc:
                raise exceptions.AuthenticationFailed(exc.detail, code=exc.code) from None
        if principal is None:
            return None
        return principal, principal.key

    def authenticate_header(self, request):
        return challenge_for(request.path)
