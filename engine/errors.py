"""Every error the engine sends is JSON: ``{"detail": <sentence>, "code": <machine code>}``.

Services refuse with a :class:`DomainError` (bad input, not found, conflict, unavailable), which
this module alone turns into HTTP: :func:`exception_handler` for DRF views,
:class:`DomainErrorMiddleware` for plain views, :func:`domain_error_response` for the hub's
handshake. DRF's own exceptions pass through :func:`exception_handler` too; middleware and the
URL resolver's 404/500 use :func:`error_response`, so one shape reaches every client.
"""

import errno
import json
import sys

from django.conf import settings
from django.core.exceptions import DisallowedHost, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status


def error_response(status_code, detail, code, headers=None, **extra):
    response = JsonResponse({"detail": str(detail), "code": code, **extra}, status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def asgi_head(response):
    """Status and raw headers of a Django ``response`` with a fixed body, for an ASGI ``send``:
    what answers a request before Django has seen it (the body gate, the server protocol, a
    refused WebSocket upgrade)."""
    headers = [
        (name.encode("latin-1"), value.encode("latin-1"))
        for name, value in response.headers.items()
        if name.lower() != "content-length"
    ]
    headers.append((b"content-length", str(len(response.content)).encode("ascii")))
    return response.status_code, headers


def error_body(response):
    """The body of one of the engine's JSON errors (``detail``, ``code``…), else None: for the
    middlewares that say a refusal again in a protocol's own shape (OpenSubsonic, kosync)."""
    if response.status_code < 400 or not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        body = json.loads(response.content)
    except (ValueError, AttributeError):  # not JSON after all, or a streamed body
        return None
    if not isinstance(body, dict) or "detail" not in body or "code" not in body:
        return None
    return body


class DomainError(Exception):
    """A request the engine's rules refuse: ``detail`` for people, ``code`` for programs.

    Raised by services, so that REST views, plain views, the Django admin, management commands
    and the hub refuse alike, and no service imports DRF to say no. The subclasses fix the
    status; a kind of refusal callers catch on its own (a refused path, an invalid claim)
    subclasses one of them.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, detail, code=None):
        super().__init__(detail)
        self.detail = str(detail)
        self.code = code or self.default_code


class BadInput(DomainError):
    """The request itself is unusable (400); nothing was changed."""


class Forbidden(DomainError):
    """The caller may see the thing but not do this to it (403): another's public playlist."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"


class NotFound(DomainError):
    """The request names something that does not exist (404)."""

    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Conflict(DomainError):
    """The request is valid but collides with the current state (409); nothing was changed."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unavailable(DomainError):
    """Something the request needs is missing or unreachable on the server (503)."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"


def domain_error_response(error):
    return error_response(error.status_code, error.detail, error.code)


class DomainErrorMiddleware:
    """Answers a :class:`DomainError` raised by a plain (non-DRF) view with its JSON error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DomainError):
            return domain_error_response(exception)
        return None


#: SQLite's words for a write lock it waited for in vain (the busy timeout).
_BUSY = ("database is locked", "database table is locked", "database is busy")
#: No room to write: SQLite's SQLITE_FULL, PostgreSQL's disk_full (SQLSTATE 53100), and the OS's own.
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
RETRY_BUSY_SECONDS = 5


def storage_error_response(exc):
    """The JSON error for a database or disk that cannot take a write now, or None.

    A writer that waited out the busy timeout gets 503 with ``Retry-After`` (the same request
    will succeed once the lock is free); a full disk gets 507. Both changed nothing: the
    transaction that met the error was rolled back. Anything else stays a 500.
    """
    if isinstance(exc, OperationalError):
        message = str(exc).lower()
        if any(words in message for words in _BUSY):
            return error_response(
                503, "The database is busy; try again shortly.", "database_busy",
                headers={"Retry-After": str(RETRY_BUSY_SECONDS)},
            )
        if "database or disk is full" in message or getattr(exc.__cause__, "sqlstate", None) == "53100":
            return _storage_full()
    if isinstance(exc, OSError) and exc.errno in _FULL_ERRNOS:
        return _storage_full()
    return None


def _storage_full():
    return error_response(507, "The server's storage is full; nothing was changed.", "storage_full")


def _first_message(errors, path=""):
    """The first human message in a nested DRF error structure, prefixed with its field."""
    if isinstance(errors, dict):
        for field, value in errors.items():
            label = field if field != "non_field_errors" else ""
            return _first_message(value, f"{path}.{label}".strip(".") if label else path)
    if isinstance(errors, list) and errors:
        return _first_message(errors[0], path)
    return f"{path}: {errors}" if path else str(errors)


def exception_handler(exc, context):
    # Imported here: rest_framework.views imports the permission classes, which use this module.
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    storage = storage_error_response(exc)
    if storage is not None:
        return storage
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    _render_as_json(context.get("request"))
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": f"Invalid input. {_first_message(exc.detail)}",
            "code": "invalid",
            "errors": exc.detail,
        }
        return response
    detail = getattr(exc, "detail", None)
    codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else None
    response.data = {
        "detail": str(detail) if detail is not None else "Error.",
        "code": codes if isinstance(codes, str) else "error",
    }
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response.data["retry_after"] = int(exc.wait)
    return response


def _render_as_json(request):
    """Errors are JSON whatever the view renders on success: the schema view would answer a
    refusal in YAML and the docs page in HTML, which clients reading ``{detail, code}`` cannot."""
    from rest_framework.renderers import JSONRenderer

    if request is not None and not isinstance(getattr(request, "accepted_renderer", None), JSONRenderer):
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type


def not_found(request=None, exception=None):
    """The URL resolver's 404, also what the hub's WebSocket routing answers an unknown path."""
    return error_response(status.HTTP_404_NOT_FOUND, "Not found.", "not_found")


def server_error(request):
    # Django calls this while handling the exception (asgiref re-raises it in the thread), so a
    # busy or full database met in middleware or a plain view gets its 503/507 here.
    storage = storage_error_response(sys.exc_info()[1])
    if storage is not None:
        return storage
    return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.", "server_error")


#: The longest refused ``Host`` a 400 repeats; a longer one is shown cut, never echoed whole.
MAX_HOST_SHOWN = 100


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        # Django reports an oversized body as a suspicious operation (400); the client needs to
        # know that the size was the problem, which is what 413 says.
        return body_too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    if isinstance(exception, DisallowedHost):
        return disallowed_host(request.META.get("HTTP_HOST", ""))
    return error_response(status.HTTP_400_BAD_REQUEST, "Bad request.", "bad_request")


def body_too_large(limit):
    """A body larger than the engine reads: 413, from the body gate before any of it is stored
    (``security/gate.py``), or from Django's own check of the same limit."""
    return error_response(
        status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        f"The request body is larger than the {limit} bytes this engine accepts (MEDIA_ENGINE_MAX_BODY_BYTES).",
        "request_too_large",
    )


def disallowed_host(host):
    """A ``Host`` not in ``ALLOWED_HOSTS`` (Django's guard against host-header poisoning): say
    which host and which setting admits it, so a new name in front of the engine is one fix away."""
    shown = host if len(host) <= MAX_HOST_SHOWN else host[:MAX_HOST_SHOWN] + "…"
    return error_response(
        status.HTTP_400_BAD_REQUEST,
        f"This engine does not answer to the host {shown!r}; to admit it, add it to MEDIA_ENGINE_ALLOWED_HOSTS "
        "(comma-separated) and restart.",
        "disallowed_host",
    )


def permission_denied(request, exception=None):
    return error_response(status.HTTP_403_FORBIDDEN, "You do not have permission to perform this action.", "permission_denied")


def csrf_failure(request, reason=""):
    return error_response(status.HTTP_403_FORBIDDEN, "Cross-site request refused.", "csrf_failed")
