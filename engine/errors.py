"""Every error the engine sends is JSON: ``{"detail": <sentence>, "code": <machine code>}``.

DRF exceptions pass through :func:`exception_handler`; plain Django views, middleware and the
URL resolver's 404/500 use :func:`error_response`, so one shape reaches every client.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status


def error_response(status_code, detail, code, headers=None, **extra):
    response = JsonResponse({"detail": str(detail), "code": code, **extra}, status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


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

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
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


def not_found(request, exception=None):
    return error_response(status.HTTP_404_NOT_FOUND, "Not found.", "not_found")


def server_error(request):
    return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error.", "server_error")


def bad_request(request, exception=None):
    return error_response(status.HTTP_400_BAD_REQUEST, "Bad request.", "bad_request")


def permission_denied(request, exception=None):
    return error_response(status.HTTP_403_FORBIDDEN, "You do not have permission to perform this action.", "permission_denied")


def csrf_failure(request, reason=""):
    return error_response(status.HTTP_403_FORBIDDEN, "Cross-site request refused.", "csrf_failed")
