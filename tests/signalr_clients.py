"""Three SignalR clients nobody on this project wrote, behind one small interface for the tests.

- ``signalrcore`` (PyPI): synchronous, its own WebSocket code, threads;
- ``pysignalr`` (PyPI): asyncio, aiohttp for negotiate and ``websockets`` for the socket;
- ``@microsoft/signalr`` (npm, locked in tests/js): the official client, under Node, through
  tests/js/hub_listener.js.

Each is configured the way its own documentation shows. A :class:`Session` records what the
client reported: its events, whether (and when) it was closed and with what error. Nothing here
interprets the hub protocol: that is each library's job.
"""

import asyncio
import importlib.metadata
import json
import logging
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.servers import require_binary

JS_DIR = Path(__file__).resolve().parent / "js"
NODE_DIR = Path(__file__).resolve().parent / ".node"
#: How long a client may take to connect or to answer before the test says it did not.
PATIENCE = 15


class Session:
    """What one client saw: events as ``(name, payload)``, the close and its time (monotonic)."""

    kind = "?"

    def __init__(self):
        self.events = queue.Queue()
        self.closed = threading.Event()
        self.closed_at = None
        self.close_error = None
        self.seen = []

    def _closed(self, error=None):
        if not self.closed.is_set():
            self.closed_at = time.monotonic()
            self.close_error = error
            self.closed.set()

    def next_event(self, name, timeout=PATIENCE):
        """The payload of the next ``name`` event; the names of every event read are kept in ``seen``."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"{self.kind}: no {name} within {timeout} s (closed: {self.close_error!r})")
            try:
                event, payload = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if event == name:
                return payload

    def drain(self):
        """Every event received and not read yet, by name."""
        names = []
        while True:
            try:
                names.append(self.events.get_nowait()[0])
            except queue.Empty:
                return self.seen + names


def version(distribution):
    return importlib.metadata.version(distribution)


class SignalRCore(Session):
    """``signalrcore``'s HubConnectionBuilder; ``keep_alive`` adds its automatic reconnection."""

    kind = "signalrcore"

    def __init__(self, url, *, headers=None, token_factory=None, skip_negotiation=False, events=(), keep_alive=False):
        super().__init__()
        from signalrcore.hub_connection_builder import HubConnectionBuilder

        options = {"skip_negotiation": skip_negotiation}
        if headers:
            options["headers"] = dict(headers)
        if token_factory:
            options["access_token_factory"] = token_factory
        builder = HubConnectionBuilder().with_url(url, options=options).configure_logging(logging.CRITICAL)
        if keep_alive:
            # signalrcore sends keep-alive pings only with automatic reconnection configured (its
            # README's setup); without them any SignalR server drops it after its client timeout
            # (30 s). With it, though, a close is never reported: it stays "reconnecting".
            builder.with_automatic_reconnect({"type": "raw", "keep_alive_interval": 10, "reconnect_interval": 5})
        self.connection = builder.build()
        self.opened = threading.Event()
        self.connection.on_open(self.opened.set)
        self.connection.on_close(self._closed)
        for name in events:
            self.connection.on(name, lambda arguments, name=name: self.events.put((name, arguments[0])))

    def start(self):
        self.connection.start()
        if not self.opened.wait(PATIENCE):
            raise AssertionError("signalrcore did not open the connection")
        return self

    def ping(self):
        answered = queue.Queue()
        self.connection.send("Ping", [], on_invocation=lambda message: answered.put(message.result))
        return answered.get(timeout=PATIENCE)

    def stop(self):
        # signalrcore's stop() waits about 15 s for its reader thread; the socket closes at once.
        if not self.closed.is_set():
            threading.Thread(target=self.connection.stop, daemon=True).start()


class PySignalR(Session):
    """``pysignalr``'s SignalRClient, run on its own event loop in a thread."""

    kind = "pysignalr"

    def __init__(self, url, *, headers=None, token_factory=None, events=(), retry_count=1):
        super().__init__()
        from pysignalr.client import SignalRClient

        self.client = SignalRClient(url, headers=headers, access_token_factory=token_factory, retry_count=retry_count)
        self.opened = threading.Event()
        self.failure = None
        self.loop = asyncio.new_event_loop()

        async def on_open():
            self.opened.set()

        async def on_close():
            if self.opened.is_set():
                self._closed(self.close_error)

        self.client.on_open(on_open)
        self.client.on_close(on_close)
        for name in events:
            async def handler(arguments, name=name):
                self.events.put((name, arguments[0]))

            self.client.on(name, handler)

    def start(self):
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        if not self.opened.wait(PATIENCE):
            raise AssertionError(f"pysignalr did not open the connection: {self.failure!r}")
        return self

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.task = self.loop.create_task(self.client.run())
        try:
            self.loop.run_until_complete(self.task)
        except BaseException as failure:  # the client's own way of saying the connection ended
            self.failure = failure
            self.close_error = self.close_error or str(failure)
            self._closed(self.close_error)
        finally:
            leftovers = asyncio.all_tasks(self.loop)
            for task in leftovers:
                task.cancel()
            self.loop.run_until_complete(asyncio.gather(*leftovers, return_exceptions=True))
            self.loop.close()

    def invoke(self, method, arguments, *, wait=True):
        """Send one invocation; with ``wait``, returns its CompletionMessage."""
        answered = queue.Queue()

        async def on_completion(message):
            answered.put(message)

        async def send():
            await self.client.send(method, arguments, on_invocation=on_completion)

        asyncio.run_coroutine_threadsafe(send(), self.loop).result(PATIENCE)
        return answered.get(timeout=PATIENCE) if wait else None

    def ping(self):
        return self.invoke("Ping", []).result

    def stop(self):
        try:
            self.loop.call_soon_threadsafe(self.task.cancel)
        except RuntimeError:
            pass  # the client had already ended and its loop is closed
        self.thread.join(PATIENCE)


@pytest.fixture(scope="module")
def node():
    """The ``node`` binary, with tests/js's locked packages (``npm ci``) installed under tests/.node."""
    node = require_binary("node")
    npm = require_binary("npm")
    lock = (JS_DIR / "package-lock.json").read_bytes()
    stamp = NODE_DIR / ".installed-lock"
    if not stamp.exists() or stamp.read_bytes() != lock:
        NODE_DIR.mkdir(exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(JS_DIR / name, NODE_DIR / name)
        result = subprocess.run(
            # No install scripts: a test dependency runs only when a test runs it.
            [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=NODE_DIR, capture_output=True, text=True, timeout=300,
        )
        if result.returncode != 0:
            pytest.skip(f"SKIPPED LOUDLY: npm could not install the locked packages of tests/js (no network?):\n{result.stderr[-2000:]}")
        stamp.write_bytes(lock)
    return node


class MicrosoftSignalR(Session):
    """The official JavaScript client under Node (tests/js/hub_listener.js), driven by stdin."""

    kind = "@microsoft/signalr"

    def __init__(self, node, url, *, key=None, auth="header", skip_negotiation=False, events=()):
        super().__init__()
        options = {"url": url, "key": key, "auth": auth, "skipNegotiation": skip_negotiation, "events": list(events)}
        environment = {**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")}
        self.process = subprocess.Popen(
            [node, str(JS_DIR / "hub_listener.js"), json.dumps(options)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
        )
        self.replies = queue.Queue()
        self.opened = threading.Event()
        self.start_error = None

    def start(self):
        threading.Thread(target=self._read, daemon=True).start()
        if not self.opened.wait(PATIENCE) or self.start_error:
            raise AssertionError(f"@microsoft/signalr did not open the connection: {self.start_error}")
        return self

    def _read(self):
        for line in self.process.stdout:
            report = json.loads(line)
            if "connected" in report:
                self.start_error = report.get("error")
                self.opened.set()
            elif "event" in report:
                self.events.put((report["event"], report["payload"]))
            elif "closed" in report:
                self._closed(report["closed"])
            else:
                self.replies.put(report)
        self.opened.set()
        self._closed(self.close_error or "the client exited")

    def ping(self):
        self.process.stdin.write("ping\n")
        self.process.stdin.flush()
        return self.replies.get(timeout=PATIENCE)["ping"]

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("stop\n")
                self.process.stdin.flush()
                self.process.wait(PATIENCE)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
