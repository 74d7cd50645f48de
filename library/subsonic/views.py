"""``/rest/{method}[.view]``: one view that finds the method, checks its role and answers.

The principal middleware has already judged the caller and the rate limit has counted the
request (streaming for ``stream``, ``download`` and ``getCoverArt``); a caller without the
method's role gets error 50, like a 403 anywhere else.
"""

from django.http import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from engine.errors import DomainError, error_response
from library.subsonic import envelope, errors, methods  # noqa: F401  (methods register themselves)
from library.subsonic.params import Params
from library.subsonic.registry import METHODS, Call
from security.permissions import principal_has_role

ALLOWED = "GET, HEAD, POST"
JSONP_REFUSED = "f=jsonp is not supported: a script-includable answer would hand the caller's data to any web page. Use f=json."


@csrf_exempt
def dispatch(request, method):
    if request.method not in ("GET", "HEAD", "POST"):
        return error_response(405, "Method not allowed.", "method_not_allowed", headers={"Allow": ALLOWED})
    found = METHODS.get(method.removesuffix(".view"))
    params = None
    try:
        params = Params(request)
        requested = params.text("f", envelope.XML)
        fmt = errors.requested_format(requested)
        if requested == "jsonp":
            raise errors.SubsonicError(errors.GENERIC, JSONP_REFUSED)
        if found is None:
            raise errors.not_found(f"Unknown method {method.removesuffix('.view')!r}.")
        if not principal_has_role(request.principal, found.role):
            raise errors.SubsonicError(errors.NOT_AUTHORIZED, f"{found.name} needs the {found.role.value} role.")
        answer = found.handler(Call(request, params, request.principal))
    except errors.SubsonicError as error:
        return envelope.render(errors.failed(error), _format(params))
    except DomainError as error:
        return envelope.render(errors.failed(errors.from_domain_error(error)), _format(params))
    if isinstance(answer, HttpResponseBase):
        return answer
    return envelope.render(envelope.envelope("ok", answer), fmt)


def _format(params):
    if params is None:
        return envelope.XML
    return errors.requested_format(params.values.get("f", [None])[0])
