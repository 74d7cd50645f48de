"""Judging a request that carries a body before the body is read.

Django's ASGI handler reads the whole body (spooled to disk past 2.5 MB) before any middleware
runs, so an anonymous ``POST`` with ``Content-Length: 200 MiB`` cost 200 MiB of disk before its
401. :class:`BodyGate` sits in front of Django and, for a request that declares a body, counts it
against its rate policy, resolves its caller and checks the size it declares first, with the same
functions the middleware uses; the 429, 401 or 413 leaves while the client is still sending. A
body it admits is read up to ``MEDIA_ENGINE_MAX_BODY_BYTES`` (a chunked one is cut there) and
handed to Django with what was decided (:class:`~security.request_facts.EarlyDecisions`), so the
middleware neither counts the request again nor looks its key up twice. The engine's handler
(engine/handler.py) runs the gate on the request's own thread, whose kept database connection
the judging uses.

On the OpenSubsonic API and KOReader's sync a request is counted and its size checked here, and
the middleware judges its caller once the bounded body is read: a form POST may carry its
credentials in the form, and those protocols' refusals are rewritten into their own shape by
middlewares that a refusal sent from here would pass by.

A request without a body passes straight through: the middleware judges it as before, and it
costs the gate nothing.
"""

import asyncio

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from engine.errors import body_too_large
from security import refusals
from security.middleware import judge_caller
from security.ratelimit import check_rate
from security.request_facts import EARLY_DECISIONS, EarlyDecisions, from_scope, judged_after_body

_DISCONNECTED = object()


def body_limit(facts):
    """The largest body a request may carry. One limit for now: every route takes JSON or a small
    form; a route that takes uploads would get its own here."""
    return settings.MEDIA_ENGINE["MAX_BODY_BYTES"]


def client_timeout():
    """Seconds a body may pause between pieces before the request is given up (408)."""
    return settings.MEDIA_ENGINE["CLIENT_TIMEOUT"]


def declared_body(scope):
    """``(carries a body, declared length or None)`` from the request's framing headers."""
    length, chunked = None, False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            length = value
        elif name == b"transfer-encoding":
            chunked = True
    if chunked:
        return True, None
    if length is None:
        return False, None
    length = int(length) if length.isdigit() else -1
    return length != 0, length


def judge(scope):
    """What is decided before the body is read, or the refusal: rate policy first (a flood of
    bad keys is limited before any key lookup), then the caller."""
    try:
        return _judge(scope)
    finally:
        # Outside Django's request cycle, which would otherwise hand a pooled PostgreSQL
        # connection back (or drop a broken one) only when the thread's next request starts.
        close_old_connections()


def _judge(scope):
    facts = from_scope(scope)
    rate = check_rate(facts)
    if rate is not None and not rate.allowed:
        return None, refusals.rate_refused(rate)
    if judged_after_body(facts):
        return EarlyDecisions(facts=facts, rate=rate, principal=None, judged=False), None
    principal, refusal = judge_caller(facts)
    if refusal is not None:
        return None, refusal
    return EarlyDecisions(facts=facts, rate=rate, principal=principal), None


class BodyGate:
    """ASGI middleware in front of Django's request handling (``HTTP_GATE`` in the settings)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        carries_body, length = declared_body(scope)
        if not carries_body:
            return await self.app(scope, receive, send)
        if length == -1:
            return await refusals.send_asgi(send, refusals.bad_framing())
        early, refusal = await sync_to_async(judge)(scope)
        if refusal is not None:
            return await refusals.send_asgi(send, refusal)
        limit = body_limit(early.facts)
        if length is not None and length > limit:
            return await refusals.send_asgi(send, body_too_large(limit))
        body, refusal = await self._read(receive, limit)
        if refusal is _DISCONNECTED:
            return None
        if refusal is not None:
            return await refusals.send_asgi(send, refusal)
        scope = {**scope, "headers": _framed(scope["headers"], len(body)), EARLY_DECISIONS: early}
        return await self.app(scope, _replaying(body, receive), send)

    async def _read(self, receive, limit):
        """``(body, None)``, or ``(None, refusal)``: past ``limit``, a client that stalls, or
        one that went away (``_DISCONNECTED``)."""
        pieces, size = [], 0
        while True:
            try:
                message = await asyncio.wait_for(receive(), client_timeout())
            except asyncio.TimeoutError:
                return None, refusals.body_timeout()
            if message["type"] == "http.disconnect":
                return None, _DISCONNECTED
            piece = message.get("body", b"")
            size += len(piece)
            if size > limit:
                return None, body_too_large(limit)
            pieces.append(piece)
            if not message.get("more_body", False):
                return b"".join(pieces), None


def _framed(headers, length):
    """The headers of a body read whole: its length declared, no chunked coding.

    Django reads ``Content-Length`` bytes of a body and nothing without it, so a chunked body
    reached its views empty.
    """
    kept = [(name, value) for name, value in headers if name not in (b"content-length", b"transfer-encoding")]
    return [*kept, (b"content-length", str(length).encode("ascii"))]


def _replaying(body, receive):
    """A ``receive`` that gives Django the body once, then the client's own messages (Django
    listens for the disconnect while a response is produced)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        if pending:
            return pending.pop()
        return await receive()

    return replay
