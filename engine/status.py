"""The health probe: the one endpoint that needs no key."""

from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

import engine


@require_http_methods(["GET", "HEAD"])
def system_status(request):
    """Say that the engine is up, and nothing else to strangers.

    Anonymous callers learn only the state and version; warnings that describe the deployment
    (such as a master key kept in a file) are for Administrators.
    """
    body = {"status": "ok", "version": engine.__version__}
    principal = getattr(request, "principal", None)
    if principal is not None and principal.is_administrator:
        from engine.health import warnings

        body["warnings"] = warnings()
    return JsonResponse(body)
