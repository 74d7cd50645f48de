"""Fixtures that make real rows, real files and real requests through the ASGI application."""

import httpx
import pytest
from asgiref.sync import async_to_sync
from django.core import signals
from django.db import close_old_connections

from security import services
from security.audit import Actor

pytest_plugins = ["tests.skip_gate"]

REMOTE = "203.0.113.10"
LOOPBACK = "127.0.0.1"
REMOTE_HOST = "media.example.test"


class EngineClient:
    """Sends real HTTP requests through the engine's ASGI application.

    ``peer`` is the TCP peer address the server sees and ``host`` the Host header, so each test
    states where its request comes from. Requests run on the calling thread's database
    connection (``async_to_sync`` brings Django's sync code back to it), so rows made by a test
    are visible and rolled back with it.
    """

    def __init__(self, peer=REMOTE, host=REMOTE_HOST, scheme="http", key=None):
        self.peer, self.host, self.scheme, self.key = peer, host, scheme, key

    def request(self, method, path, *, key=None, headers=None, **kwargs):
        from engine.asgi import application

        headers = httpx.Headers(headers or {})
        key = key if key is not None else self.key
        if key is not None:
            headers["X-Api-Key"] = key

        async def send():
            transport = httpx.ASGITransport(app=application, client=(self.peer, 50123))
            async with httpx.AsyncClient(transport=transport, base_url=f"{self.scheme}://{self.host}") as client:
                return await client.request(method, path, headers=headers, **kwargs)

        # Django's test client does the same: closing "old" connections mid-test would close the
        # test's own transaction.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            return async_to_sync(send)()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def head(self, path, **kwargs):
        return self.request("HEAD", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self.request("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self.request("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


@pytest.fixture
def remote(db):
    """A client on another machine, reaching the engine by its public name."""
    return EngineClient(peer=REMOTE, host=REMOTE_HOST)


@pytest.fixture
def local(db):
    """A client on this machine (loopback peer, loopback Host): the localhost bypass applies."""
    return EngineClient(peer=LOOPBACK, host="localhost:8000")


@pytest.fixture
def make_key(db):
    """``make_key(role, label=..., expires_at=..., profile=...)`` → ``(api_key_row, plaintext)``;
    the key belongs to the Owner unless ``profile`` says otherwise."""

    def make(role="Administrator", label=None, expires_at=None, profile=None):
        return services.create_key(
            label=label or f"{role} test key", role=role, expires_at=expires_at, profile=profile, actor=Actor("test setup")
        )

    return make


@pytest.fixture
def make_profile(db):
    """``make_profile("Kid", role="Consumer")`` → a profile, made as ``POST /profiles`` makes one."""
    from security.profiles.services import create_profile

    def make(display_name, role="Consumer"):
        return create_profile(display_name=display_name, role=role, actor=Actor("test setup"))

    return make


@pytest.fixture
def client_as(db, make_key):
    """``client_as("Curator")`` → a remote client presenting a fresh key of that role."""

    def make(role, **kwargs):
        _, plaintext = make_key(role)
        return EngineClient(key=plaintext, **kwargs)

    return make


@pytest.fixture(scope="session")
def postgres_cluster():
    """One throwaway PostgreSQL cluster for the whole run; each user takes ``new_database()``."""
    from tests.servers import PostgresServer

    with PostgresServer() as server:
        yield server


@pytest.fixture(autouse=True)
def fresh_cache():
    """Rate-limit counts (and anything else cached) never carry over from one test to the next."""
    from django.core.cache import cache

    cache.clear()
