"""``GET/HEAD /stream/{asset_id}`` and ``GET /stream/{asset_id}/link``.

The principal middleware has already judged the caller (key, signed link or localhost) and the
streaming rate policy has counted the request; these views check the role, find and contain the
file, and answer by the rules in :mod:`library.streaming.ranges`.
"""

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt

from engine.errors import error_response
from library.models import Asset
from library.streaming import responses
from library.streaming.files import AssetChanged, FileUnavailable, open_asset
from library.streaming.ranges import Decision, Unsatisfiable, evaluate, http_date
from security import refusals
from security.permissions import may_obtain_stream_link, may_stream, role_required
from security.roles import Role
from security.stream_links import stream_link_signer

_MAX_ID = 2**63 - 1
_CONDITIONAL_HEADERS = ("range", "if-range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since")


def _not_found():
    return error_response(404, "Not found.", "not_found")


#: Seconds to wait for the rescan of a changed file: a scan passes unchanged files by quickly.
RETRY_CHANGED_SECONDS = 10


def _changed():
    return error_response(
        409, "The file changed since the library scanned it; it is being scanned again, try again shortly.",
        "asset_changed", headers={"Retry-After": str(RETRY_CHANGED_SECONDS)},
    )


def _method_not_allowed(allowed):
    return error_response(405, "Method not allowed.", "method_not_allowed", headers={"Allow": allowed})


def _resolve(asset_id):
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        raise FileUnavailable()
    return asset, open_asset(asset)


def _offload(request):
    return settings.MEDIA_ENGINE["STREAM_OFFLOAD"] == "nginx"


def _representation_headers(response, asset, opened, validators):
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = validators.etag
    response["Last-Modified"] = http_date(validators.last_modified)
    # Authenticated content: browsers may keep it but must revalidate; shared caches must not.
    response["Cache-Control"] = "private, no-cache"
    # A library file shown inline on the engine's origin must not run script there.
    response["Content-Security-Policy"] = "sandbox"
    if response.status_code in (200, 206):
        response["Content-Type"] = responses.content_type(asset)
        response["Content-Disposition"] = responses.content_disposition(opened.location.relative_path)
    return response


def asset_response(request, asset_id, *, method=None):
    """The answer to a request for an asset's file, for ``/stream/`` and the protocol surfaces
    that send files (OpenSubsonic's ``stream`` and ``download``): Range, validators, containment.

    Synchronous (the file is found and opened with the ORM); the body is still sent by an async
    iterator. A missing asset or file is the JSON 404. ``method`` is the HTTP method the request
    stands for: OpenSubsonic's form POST is a GET whose parameters travel in the body, so its
    ``Range`` is honoured (RFC 9110 defines ranges for GET only).
    """
    try:
        asset, opened = _resolve(asset_id)
    except FileUnavailable:
        return _not_found()
    return _answer(request, asset, opened, method or request.method)


def _answer(request, asset, opened, method=None):
    """The response for an opened file; closes it unless the body will stream it."""
    method = method or request.method
    validators = responses.validators(asset, opened)
    headers = {name: request.headers[name] for name in _CONDITIONAL_HEADERS if name in request.headers}
    try:
        decision = evaluate(method, headers, opened.size, validators)
    except Unsatisfiable as exc:
        opened.close()
        response = error_response(416, "Requested range not satisfiable.", "range_not_satisfiable")
        response["Content-Range"] = exc.content_range
        response["Accept-Ranges"] = "bytes"
        return response
    if decision.status == 412:
        opened.close()
        return error_response(412, "Precondition failed.", "precondition_failed")
    if decision.status == 304:
        opened.close()
        response = HttpResponse(status=304)
        del response["Content-Type"]
        return _representation_headers(response, asset, opened, validators)
    if _offload(request):
        return _offloaded(asset, opened, validators)
    return _streamed(method, asset, opened, validators, decision)


def _offloaded(asset, opened, validators):
    """nginx sends the bytes and handles ranges; the engine has checked caller and file."""
    opened.close()
    response = HttpResponse(status=200)
    response["X-Accel-Redirect"] = responses.accel_redirect(settings.MEDIA_ENGINE["STREAM_OFFLOAD_PREFIX"], opened.real_path)
    response["X-Accel-Buffering"] = "no"
    response["Content-Type"] = responses.content_type(asset)
    response["Content-Disposition"] = responses.content_disposition(opened.location.relative_path)
    response["Cache-Control"] = "private, no-cache"
    response["Content-Security-Policy"] = "sandbox"
    return response


def _streamed(method, asset, opened, validators, decision: Decision):
    if decision.status == 206:
        first, length = decision.byte_range.first, decision.byte_range.length
    else:
        first, length = 0, opened.size
    if method == "HEAD":
        opened.close()
        response = HttpResponse(status=decision.status)
    else:
        response = StreamingHttpResponse(responses.FileChunks(opened, first, length), status=decision.status)
    if decision.status == 206:
        response["Content-Range"] = decision.byte_range.content_range
    response["Content-Length"] = str(length)
    return _representation_headers(response, asset, opened, validators)


# Keys and signed links authenticate these views, never cookies; other methods get a JSON 405.
@csrf_exempt
@role_required(Role.CONSUMER)
async def stream(request, asset_id):
    if request.method not in ("GET", "HEAD"):
        return _method_not_allowed("GET, HEAD")
    if asset_id > _MAX_ID:
        return _not_found()
    if not may_stream(request.principal, asset_id):
        return refusals.permission_denied("This link is for another file.")
    try:
        asset, opened = await sync_to_async(_resolve)(asset_id)
    except AssetChanged:
        return _changed()
    except FileUnavailable:
        return _not_found()
    return _answer(request, asset, opened)


@csrf_exempt
@role_required(Role.CONSUMER)
async def stream_link(request, asset_id):
    """A signed relative URL for players that cannot send ``X-Api-Key``.

    Links are issued to API keys only: the localhost Administrator has no key to bind the link
    to (and needs no link on this machine), so it is refused rather than handed a link that
    nothing could revoke.
    """
    if request.method != "GET":
        return _method_not_allowed("GET")
    principal = request.principal
    if not may_obtain_stream_link(principal):
        return refusals.key_required()
    if asset_id > _MAX_ID or not await Asset.objects.filter(pk=asset_id).aexists():
        return _not_found()
    url, expires_at = stream_link_signer.make(asset_id, principal.key.key_id)
    response = JsonResponse({"url": url, "expires_at": expires_at.isoformat().replace("+00:00", "Z")})
    response["Cache-Control"] = "no-store"
    return response
