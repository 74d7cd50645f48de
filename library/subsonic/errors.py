"""Subsonic errors: ``status="failed"`` with an ``error`` code and message, as the protocol fixes.

The documented exception to the engine's JSON-error rule. Methods raise :class:`SubsonicError`;
refusals made before the adapter runs (rate limit, missing or invalid credentials, the URL
resolver's 404, a server error) are the engine's own JSON errors, which
:class:`SubsonicErrorMiddleware` rewrites into this format for ``/rest/`` paths, so each refusal
is still decided once, in ``security/``.
"""

from engine.errors import DomainError, Forbidden, NotFound, error_body
from library.subsonic import envelope
from security import subsonic as credentials
from security.request_facts import from_request
from security.routes import is_subsonic_path

GENERIC = 0
MISSING_PARAMETER = 10
WRONG_CREDENTIALS = 40
TOKEN_UNSUPPORTED = 41
CONFLICTING_CREDENTIALS = 43
INVALID_API_KEY = 44
NOT_AUTHORIZED = 50
NOT_FOUND = 70

#: The engine's machine codes of a refused credential → the protocol's numbers.
CREDENTIAL_CODES = {
    credentials.INVALID_API_KEY: INVALID_API_KEY,
    credentials.INVALID_PASSWORD: WRONG_CREDENTIALS,
    credentials.CONFLICTING: CONFLICTING_CREDENTIALS,
    credentials.TOKEN_UNSUPPORTED: TOKEN_UNSUPPORTED,
    credentials.INCOMPLETE: MISSING_PARAMETER,
    "not_authenticated": MISSING_PARAMETER,
}
NOT_AUTHENTICATED = "Required parameter is missing: apiKey (or u and p, where the password is an API key)."
#: Engine refusals that are about HTTP itself keep their status (clients back off on 429 and 503
#: by ``Retry-After``); the others are answered with 200, as Subsonic clients expect.
KEEPS_STATUS = 429
#: 405 is about HTTP too: the URL exists, the method does not (with ``Allow``).
KEPT_STATUSES = frozenset({405})
KEPT_HEADERS = ("Retry-After", "RateLimit", "RateLimit-Policy", "Allow")


class SubsonicError(Exception):
    def __init__(self, code, message, help_url=None):
        super().__init__(message)
        self.code, self.message, self.help_url = code, message, help_url


def missing(name):
    return SubsonicError(MISSING_PARAMETER, f"Required parameter is missing: {name}.")


def not_found(what="The requested data was not found."):
    return SubsonicError(NOT_FOUND, what)


def from_domain_error(error: DomainError):
    """A service's refusal, in the protocol's numbers: not found 70, forbidden 50, else generic."""
    if isinstance(error, NotFound):
        return SubsonicError(NOT_FOUND, error.detail)
    if isinstance(error, Forbidden):
        return SubsonicError(NOT_AUTHORIZED, error.detail)
    return SubsonicError(GENERIC, error.detail)


def failed(error: SubsonicError):
    body = {"code": error.code, "message": error.message}
    if error.help_url:
        body["helpUrl"] = error.help_url
    return envelope.envelope("failed", {"error": body})


def requested_format(values):
    """``f`` as the client asked: json for ``json`` (and the refused ``jsonp``), else xml."""
    return envelope.JSON if values in ("json", "jsonp") else envelope.XML


def _engine_error(response):
    """``(detail, code, help_url)`` of one of the engine's JSON errors, or None."""
    body = error_body(response)
    return None if body is None else (body["detail"], body["code"], body.get("help_url"))


def translate(status, detail, code, help_url=None):
    """The :class:`SubsonicError` for an engine refusal of ``status`` with machine ``code``."""
    if status == 401:
        number = CREDENTIAL_CODES.get(code, WRONG_CREDENTIALS)
        message = NOT_AUTHENTICATED if code == "not_authenticated" else detail
        if number == INVALID_API_KEY:
            message = "Invalid API key: unknown, revoked or expired."
        elif number == WRONG_CREDENTIALS:
            message = "Wrong username or password: the password must be a valid API key."
        return SubsonicError(number, message, help_url)
    if status == 403:
        return SubsonicError(NOT_AUTHORIZED, detail)
    if status == 404:
        return SubsonicError(NOT_FOUND, "The requested data was not found.")
    return SubsonicError(GENERIC, detail)


class SubsonicErrorMiddleware:
    """Speaks the protocol's error format for every refusal of a ``/rest/`` request.

    It runs first, outside the rate limit and the principal middleware, so their refusals (the
    same ones every route gets) reach a music app as ``subsonic-response`` errors. Byte answers
    of ``stream`` and ``download`` (206, 304, 412, 416) are HTTP and pass unchanged.
    """

    PASSES = frozenset({304, 412, 416})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not is_subsonic_path(request.path) or response.status_code in self.PASSES:
            return response
        found = _engine_error(response)
        if found is None:
            return response
        error = translate(response.status_code, *found)
        translated = envelope.render(failed(error), requested_format(self._format(request, response)))
        if response.status_code >= KEEPS_STATUS or response.status_code in KEPT_STATUSES:
            translated.status_code = response.status_code
        for name in KEPT_HEADERS:
            if name in response:
                translated[name] = response[name]
        return translated

    @staticmethod
    def _format(request, response):
        """``f`` from the query, or from a form body once the principal has read it (a 429 or 503
        was decided before anything read the body, and does not read it now)."""
        if "f" in request.GET or response.status_code >= KEEPS_STATUS:
            return request.GET.get("f")
        form = from_request(request).form
        return (form.get("f") or [None])[0]
