"""Every refusal of a caller, built once: the same JSON error over HTTP and on the hub.

The middleware, the role decorator of plain views, the streaming views and the hub's handshake
all answer a refused caller with one of these Django responses; ``intercom/denial.py`` turns the
same response into a refused WebSocket upgrade, so a client reads one status, code and header
set whichever door it knocked on. DRF views refuse through DRF's own exceptions, which
``engine/errors.py`` renders in the same shape.
"""

from engine.errors import asgi_head, error_response
from security import basic_auth
from security.routes import reads_basic_auth

#: Sent with every 401, so clients learn which credential the engine expects.
WWW_AUTHENTICATE = 'ApiKey realm="media-engine", header="X-Api-Key"'
INVALID_CREDENTIALS = "Invalid or revoked API key."
PERMISSION_DENIED = "You do not have permission to perform this action."
#: Seconds a client should wait when a store the engine needs (the rate-limit cache, the hub's
#: channel layer) is unreachable: long enough for a restart, short enough not to lose the user.
RETRY_UNAVAILABLE_SECONDS = 5


def challenge_for(path):
    """The ``WWW-Authenticate`` of a 401 on ``path``: HTTP Basic where e-readers log in (their
    login dialog opens on it), the API key elsewhere, where a browser must never be asked for a
    password it would then send by itself."""
    if path is not None and reads_basic_auth(path):
        return basic_auth.CHALLENGE
    return WWW_AUTHENTICATE


def invalid_credentials(detail=INVALID_CREDENTIALS, code="invalid_credentials", help_url=None, *, path=None):
    """A presented credential is empty, malformed, unknown, revoked or expired, or sent where
    the engine does not read it (``credential_not_read``): 401.

    ``code`` tells refusals apart for protocols that number them (OpenSubsonic); ``help_url``
    says where to read how to get a key.
    """
    extra = {"help_url": help_url} if help_url else {}
    return error_response(401, detail, code, headers={"WWW-Authenticate": challenge_for(path)}, **extra)


def credential_refused(error, *, path=None):
    """The 401 for an :class:`~security.principal.InvalidCredentials`."""
    return invalid_credentials(error.detail, error.code, error.help_url, path=path)


def not_authenticated(*, path=None):
    """No credential, and not the localhost Administrator: 401."""
    return error_response(
        401, "Authentication credentials were not provided.", "not_authenticated",
        headers={"WWW-Authenticate": challenge_for(path)},
    )


def permission_denied(detail=PERMISSION_DENIED):
    """A known caller whose role or credential does not allow this: 403."""
    return error_response(403, detail, "permission_denied")


def not_permitted(principal, *, path=None):
    """The refusal for a caller that may not proceed: 401 for nobody, 403 for a weaker role."""
    return not_authenticated(path=path) if principal is None else permission_denied()


def key_required():
    """What only an API key may be given (a stream link) asked for with another credential: 403."""
    return error_response(403, "Stream links are issued to API keys; send X-Api-Key to get one.", "key_required")


def origin_refused():
    """A browser page on a foreign origin tried to use the hub: 403."""
    return error_response(403, "This origin may not open the hub.", "origin_not_allowed")


def rate_limited(retry_after, *, detail=None, headers=None):
    """Over a quota: 429 with ``Retry-After`` (and ``retry_after`` in the body)."""
    return error_response(
        429,
        detail or f"Too many requests; try again in {retry_after} seconds.",
        "rate_limited",
        headers={"Retry-After": str(retry_after), **(headers or {})},
        retry_after=retry_after,
    )


def rate_limit_unavailable(*, detail="Rate limiting is unavailable; try again shortly.", retry_after=RETRY_UNAVAILABLE_SECONDS):
    """The rate-limit cache cannot count: 503, refused rather than waved through."""
    return error_response(503, detail, "rate_limit_unavailable", headers={"Retry-After": str(retry_after)})


def rate_refused(decision):
    """The refusal for a :class:`~security.ratelimit.RateDecision` that is not allowed."""
    if decision.unavailable:
        return rate_limit_unavailable(retry_after=decision.retry_after)
    return rate_limited(decision.retry_after, headers=decision.headers())


def hub_unavailable():
    """The hub cannot reach its channel layer, so a socket would receive nothing: 503."""
    return error_response(
        503, "The hub cannot reach its message layer; try again shortly.", "hub_unavailable",
        headers={"Retry-After": str(RETRY_UNAVAILABLE_SECONDS)},
    )


def body_timeout():
    """A body that stopped arriving: 408, and the connection closed."""
    return error_response(408, "The request body stopped arriving.", "request_timeout")


def bad_framing():
    """A ``Content-Length`` that is not one number: 400."""
    return error_response(400, "The Content-Length header is not a length.", "bad_request")


async def send_asgi(send, response):
    """Answer an HTTP request with a refusal straight from ASGI, before Django has seen it.

    The body was not read, so the connection is closed after the answer: a server that kept it
    would have to read and discard whatever the client still sends.
    """
    status, headers = asgi_head(response)
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": response.content, "more_body": False})
