"""Django's ASGI handler, with each request's synchronous work on one of a few long-lived threads.

Django's own handler runs an async middleware chain around synchronous middleware and views,
crossing between the event loop and a thread several times per request, and gives every
request a thread of its own (``ThreadSensitiveContext``), so every request opened a new database
connection. Measured under uvicorn (``bench/throughput.py``), those crossings and connections
cost more than the view. Here the middleware chain is synchronous and runs, with the view, in
one call on a thread drawn from a fixed set; the thread keeps its database connection from one
request to the next, as a WSGI worker does.
"""

import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import AsyncToSync, ThreadSensitiveContext, sync_to_async
from django.core.handlers.asgi import ASGIHandler

#: Threads that run requests' synchronous code. Each keeps one database connection; a request
#: that blocks one (a write waiting for SQLite's lock) leaves the others to everyone else.
REQUEST_THREADS = 8


class RequestThread(ThreadPoolExecutor):
    """One long-lived thread, which counts the calls waiting for it so requests go to the idlest."""

    def __init__(self, number):
        super().__init__(max_workers=1, thread_name_prefix=f"request-{number}")
        self._lock = threading.Lock()
        self.pending = 0

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            self.pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._done)
        return future

    def _done(self, future):
        with self._lock:
            self.pending -= 1


class RequestThreads:
    def __init__(self, count=REQUEST_THREADS):
        self.threads = [RequestThread(number) for number in range(count)]

    def idlest(self):
        return min(self.threads, key=lambda thread: thread.pending)


class EngineASGIHandler(ASGIHandler):
    """An ``ASGIHandler`` whose requests cross to a thread once and reuse its connection.

    A request already called from synchronous code through ``async_to_sync`` (the test suite's
    client, a management command) keeps Django's behaviour: its synchronous work returns to the
    calling thread, which owns the database connection (and the test's transaction).

    ``gate`` is ASGI middleware that judges a request before Django reads it (``HTTP_GATE`` in the
    settings). It runs inside the request's thread context, so what it asks the database goes to
    the same thread and connection as the request's own work, not to a thread of its own.
    """

    def __init__(self, threads=None, gate=None):
        self.threads = threads or RequestThreads()
        self.gated = gate(self.handle) if gate is not None else self.handle
        super().__init__()

    def load_middleware(self, is_async=False):
        # A synchronous chain: Django adapts it to the event loop once, not per middleware.
        super().load_middleware(is_async=False)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await super().__call__(scope, receive, send)
        if getattr(AsyncToSync.executors, "current", None) is not None:
            async with ThreadSensitiveContext():
                return await self.gated(scope, receive, send)
        async with ThreadSensitiveContext(executor=self.threads.idlest()):
            await self.gated(scope, receive, send)

    async def get_response_async(self, request):
        return await sync_to_async(self.get_response)(request)
