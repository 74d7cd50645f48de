"""The kosync routes, as KOReader's ``api.json`` names them: ``GET /users/auth``,
``POST /users/create``, ``PUT /syncs/progress``, ``GET /syncs/progress/{document}``.

Thin: the principal middleware has judged the caller (``x-auth-user`` + ``x-auth-key``, HTTP
Basic, ``X-Api-Key``, or the localhost bypass) and counted the request as general; these read
the body and call ``library.state.reading``. Fields KOReader may add (``metadata``,
``identifiers``) are ignored, as the protocol's server does.
"""

import json

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from engine.errors import BadInput, error_response
from library.state import reading, selectors
from security.permissions import role_required
from security.roles import Role

#: A progress update is a few hundred bytes; KOReader's XPointers stay far below this.
MAX_BODY = 64 * 1024


def _only(request, method):
    if request.method != method:
        return error_response(405, "Method not allowed.", "method_not_allowed", headers={"Allow": method})
    return None


def _profile(request):
    return request.principal.profile


def _json_body(request):
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        raise BadInput(f"The body is larger than {MAX_BODY} bytes.", "body_too_large")
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise BadInput("The body is not JSON.", "invalid_json") from None
    if not isinstance(body, dict):
        raise BadInput("The body is a JSON object.", "invalid_json")
    return body


def _number(value):
    """KOReader sends percentage as a number; some clients send it as text."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


@csrf_exempt
@role_required(Role.CONSUMER)
def authorize(request):
    return _only(request, "GET") or JsonResponse({"authorized": "OK"})


@csrf_exempt
@role_required(Role.CONSUMER)
def create_user(request):
    """Accounts are keys, and keys are made by Administrators: registering is refused."""
    return _only(request, "POST") or error_response(
        403, "Registration is disabled: ask an Administrator for an API key and log in with it as the password.",
        "registration_disabled",
    )


@csrf_exempt
@role_required(Role.CONSUMER)
def update_progress(request):
    refused = _only(request, "PUT")
    if refused:
        return refused
    body = _json_body(request)
    progress = body.get("progress")
    saved = reading.save_document_progress(
        _profile(request), body.get("document"),
        percentage=_number(body.get("percentage")),
        position=str(progress) if isinstance(progress, (int, float)) and not isinstance(progress, bool) else progress,
        device=body.get("device"), device_id=body.get("device_id"),
    )
    return JsonResponse({"document": saved[0].document, "timestamp": int(saved[0].changed_at.timestamp())})


@csrf_exempt
@role_required(Role.CONSUMER)
def get_progress(request, document):
    refused = _only(request, "GET")
    if refused:
        return refused
    progress = selectors.progress_of_document(_profile(request), document.lower())
    if progress is None:
        return JsonResponse({})
    return JsonResponse({
        "document": progress.document or document.lower(),
        "percentage": progress.percentage,
        "progress": progress.position,
        "device": progress.device,
        "device_id": progress.device_id,
        "timestamp": int(progress.changed_at.timestamp()),
    })


@csrf_exempt
@role_required(Role.CONSUMER)
def healthcheck(request):
    return _only(request, "GET") or JsonResponse({"state": "OK"})
