"""Errors on ``/kosync/`` in the protocol's own shape: ``{"code": <number>, "message": <text>}``.

koreader-sync-server answers so, and KOReader shows ``message`` when a login or a registration
fails. Every refusal on these routes (the principal's 401, the rate limit's 429, a view's 400)
is first the engine's ``{"detail", "code"}``; this middleware, outermost, rewrites it, keeping
the status, the sentence as ``detail`` too and the engine's code as ``error``, so a client of
either reads what it knows.
"""

from django.http import JsonResponse

from engine.errors import error_body
from security.routes import is_kosync_path

#: The protocol's numbers (koreader-sync-server's ``config/errors.lua`` and its controller).
UNAUTHORIZED = 2001
INVALID_REQUEST = 2003
DOCUMENT_FIELD_MISSING = 2004
REGISTRATION_DISABLED = 2005
SERVER_ERROR = 2000

_BY_ENGINE_CODE = {
    "invalid_credentials": UNAUTHORIZED,
    "not_authenticated": UNAUTHORIZED,
    "permission_denied": UNAUTHORIZED,
    "invalid_document": DOCUMENT_FIELD_MISSING,
    "registration_disabled": REGISTRATION_DISABLED,
}
UNAUTHORIZED_MESSAGE = "Unauthorized: log in with an API key of this Media Engine as the password (any user name)."


def kosync_error(status, message, number, engine_code):
    return JsonResponse({"code": number, "message": message, "detail": message, "error": engine_code}, status=status)


def _number(status, engine_code):
    if engine_code in _BY_ENGINE_CODE:
        return _BY_ENGINE_CODE[engine_code]
    return SERVER_ERROR if status >= 500 or status == 429 else INVALID_REQUEST


class KosyncErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        body = error_body(response) if is_kosync_path(request.path) else None
        if body is None:
            return response
        engine_code = str(body["code"])
        number = _number(response.status_code, engine_code)
        message = UNAUTHORIZED_MESSAGE if number == UNAUTHORIZED and response.status_code == 401 else body["detail"]
        translated = kosync_error(response.status_code, message, number, engine_code)
        for header in ("WWW-Authenticate", "Retry-After", "RateLimit", "RateLimit-Policy", "Allow"):
            if header in response:
                translated[header] = response[header]
        return translated
