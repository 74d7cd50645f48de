"""What the security rules need to know about a request, taken from HTTP or WebSocket alike.

Django's ``HttpRequest`` and a Channels ``scope`` carry the same facts in different shapes;
both adapters here produce one :class:`RequestFacts`, so the principal, bypass and client-address
rules are written once and judge both protocols the same way.
"""

from dataclasses import dataclass, field, replace
from functools import cached_property
from urllib.parse import parse_qs

from security.client_address import client_ip, is_trusted_proxy, parse_ip
from security.routes import is_kosync_path, is_subsonic_path


@dataclass(frozen=True)
class RequestFacts:
    peer: str | None
    scheme: str
    host: str | None
    method: str
    path: str
    headers: dict = field(repr=False)
    query: dict = field(repr=False, default_factory=dict)
    #: Reads the form fields of a ``application/x-www-form-urlencoded`` body, on the one surface
    #: whose protocol lets credentials come in a body (OpenSubsonic's ``formPost``). Called only
    #: by whoever needs them, after the rate limit has counted the request.
    form_reader: object = field(repr=False, default=None, compare=False)

    @cached_property
    def form(self):
        return self.form_reader() if self.form_reader is not None else {}

    def header(self, name):
        return self.headers.get(name.lower())

    def has_header(self, name):
        return name.lower() in self.headers

    @property
    def is_websocket(self):
        return self.method == "WEBSOCKET"

    @property
    def client_ip(self):
        return client_ip(self.peer, self.header("x-forwarded-for"))

    @property
    def peer_ip(self):
        return parse_ip(self.peer)

    @property
    def public_scheme(self):
        """The scheme the client used: a trusted proxy's ``X-Forwarded-Proto``, else the connection's.

        Behind a TLS-terminating proxy the engine itself speaks plain HTTP, but browsers send
        ``Origin: https://…``; only a trusted proxy is believed about that.
        """
        if is_trusted_proxy(self.peer_ip):
            forwarded = (self.header("x-forwarded-proto") or "").split(",")[-1].strip().lower()
            if forwarded in ("http", "https"):
                return forwarded
        return self.scheme


#: The ASGI scope key under which ``security.gate.BodyGate`` hands its decisions to Django.
EARLY_DECISIONS = "media_engine.early_decisions"


@dataclass(frozen=True)
class EarlyDecisions:
    """What was decided about a request carrying a body before the body was read: its facts,
    its :class:`~security.ratelimit.RateDecision` (already counted) and its principal."""

    facts: RequestFacts
    rate: object
    principal: object
    #: False when the caller is judged after the body (:func:`judged_after_body`).
    judged: bool = True


def judged_after_body(facts):
    """Whether the caller of a request with a body is judged once the body (bounded and counted)
    has been read, rather than before: on the protocol surfaces whose refusals a middleware says
    again in the protocol's own shape (OpenSubsonic, KOReader's sync), which a refusal sent before
    Django would bypass; OpenSubsonic's ``formPost`` also carries its credentials in the body."""
    return is_subsonic_path(facts.path) or is_kosync_path(facts.path)


def early_decisions(request):
    """The gate's decisions about ``request``, or None when it carried no body (or came another way)."""
    scope = getattr(request, "scope", None)
    return scope.get(EARLY_DECISIONS) if scope is not None else None


def from_request(request):
    """Facts of a Django ``HttpRequest`` (ASGI or WSGI).

    Django joins a repeated header's values with commas, so a header sent twice arrives as one
    value that no single credential can match. The facts are kept on the request: the rate
    limiter, the principal middleware and the audit trail all read them (the gate's, when it
    judged the request first).
    """
    facts = getattr(request, "_security_facts", None)
    if facts is None:
        early = early_decisions(request)
        if early is None:
            facts = _facts_of(request)
        elif early.judged:
            facts = early.facts
        else:
            facts = replace(early.facts, form_reader=_form_reader(request))
        request._security_facts = facts
    return facts


def _facts_of(request):
    headers = {}
    for name, value in request.META.items():
        if name.startswith("HTTP_"):
            headers[name[5:].replace("_", "-").lower()] = value
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if name in request.META:
            headers[name.replace("_", "-").lower()] = request.META[name]
    return RequestFacts(
        peer=request.META.get("REMOTE_ADDR") or None,
        scheme=request.scheme,
        host=headers.get("host"),
        method=(request.method or "").upper(),
        path=request.path,
        headers=headers,
        query={name: values for name, values in request.GET.lists()},
        form_reader=_form_reader(request),
    )


def _form_reader(request):
    """Form fields of a POST to the OpenSubsonic API (its ``formPost`` extension); else none."""
    if request.method != "POST" or not is_subsonic_path(request.path):
        return None
    if (request.content_type or "").lower() != "application/x-www-form-urlencoded":
        return None
    return lambda: {name: values for name, values in request.POST.lists()}


def from_scope(scope):
    """Facts of an ASGI scope, as a WebSocket handshake presents it."""
    headers = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    client = scope.get("client") or (None, None)
    scheme = scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http")
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    return RequestFacts(
        peer=client[0],
        scheme={"ws": "http", "wss": "https"}.get(scheme, scheme),
        host=headers.get("host"),
        method="WEBSOCKET" if scope["type"] == "websocket" else scope.get("method", "GET").upper(),
        path=scope.get("path", ""),
        headers=headers,
        query=query,
    )
