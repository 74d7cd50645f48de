"""Schema fuzzing: every operation of the OpenAPI document, for each role and for nobody.

schemathesis generates requests from the schema the engine serves (the same generator behind
``/schema/``, see tests/test_schema.py); they go through the real ASGI application with
:class:`EngineClient` from another machine, so the caller is exactly the one each case names.
For every answer: no 5xx, status, content type, headers and body as the schema says; and a
refused request (4xx) leaves every stored row as it was.

``MEDIA_ENGINE_FUZZ_EXAMPLES`` sets the examples per operation and caller (``make test`` keeps
it small; ``make fuzz`` runs many more).
"""

import hashlib
import os

import pytest
import schemathesis
from cryptography.fernet import Fernet
from django.apps import apps
from django.db import connection
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from security import services
from security.audit import Actor
from security.models import ApiKey
from tests.conftest import REMOTE_HOST, EngineClient

EXAMPLES = int(os.environ.get("MEDIA_ENGINE_FUZZ_EXAMPLES", "12"))
CALLERS = ["anonymous", "Consumer", "Curator", "Administrator"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: Columns that a refused request may legitimately touch: a key's last use is recorded once a minute.
VOLATILE = {("security", "apikey"): {"last_used_at"}}
STATE_APPS = ("security", "library", "django_tasks_db")

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def _digest():
    """A digest of every row the engine keeps, minus columns a refused request may touch."""
    digest = hashlib.sha256()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if model._meta.app_label not in STATE_APPS:
            continue
        skip = VOLATILE.get((model._meta.app_label, model._meta.model_name), set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        digest.update(model._meta.label.encode())
        for row in model.objects.order_by("pk").values_list(*names):
            digest.update(repr(row).encode())
    return digest.hexdigest()


def rows_written():
    """SQLite's count of rows inserted, changed or deleted on this connection, which the requests
    share (see EngineClient): while it stands still, no request wrote anything."""
    connection.ensure_connection()
    return connection.connection.total_changes


class StoredState:
    """The digest of every stored row, computed again only when a row was written since."""

    def __init__(self):
        self.written, self.digest = None, None

    def __call__(self):
        written = rows_written()
        if written != self.written:
            self.written, self.digest = written, _digest()
        return self.digest


class Callers:
    """A key per role, made again whenever a fuzzed revoke has ended it."""

    def __init__(self):
        self.keys = {}

    def key(self, role):
        if role == "anonymous":
            return None
        row_and_key = self.keys.get(role)
        if row_and_key is None or not ApiKey.objects.active().filter(pk=row_and_key[0].pk).exists():
            row_and_key = services.create_key(label=f"fuzz {role}", role=role, actor=Actor("schema fuzz"))
            self.keys[role] = row_and_key
        return row_and_key[1]


@pytest.fixture
def stored_state(db):
    return StoredState()


def test_the_write_counter_sees_a_write_made_through_the_application(db):
    _, key = services.create_key(label="counter", role="Administrator", actor=Actor("schema fuzz"))
    before = rows_written()
    assert EngineClient(key=key).post("/admin/api-keys", json={"label": "x", "role": "Consumer"}).status_code == 201
    assert rows_written() > before


@pytest.fixture
def callers(db, monkeypatch):
    # Provider secrets can be stored: the fuzzer should reach the encrypting path, not a 503.
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", Fernet.generate_key().decode())
    return Callers()


def send(case, key):
    """The case's request through the ASGI application, as a remote caller with ``key``."""
    kwargs = case.as_transport_kwargs(base_url=f"http://{REMOTE_HOST}")
    # Sent as raw bytes: a real client may put any octets in a header, which httpx would refuse as text.
    headers = {
        name: value.encode("utf-8") if isinstance(value, str) else value
        for name, value in (kwargs.get("headers") or {}).items()
        if name.lower() != "x-api-key"
    }
    if key is not None:
        headers["X-Api-Key"] = key
    body = {}
    if "json" in kwargs:
        body["json"] = kwargs["json"]
    elif kwargs.get("data") is not None:
        body["content"] = kwargs["data"] if isinstance(kwargs["data"], bytes) else str(kwargs["data"]).encode()
    path = kwargs["url"].removeprefix(f"http://{REMOTE_HOST}")
    return EngineClient().request(case.method, path, headers=headers, params=kwargs.get("params"), **body)


@pytest.mark.parametrize("caller", CALLERS)
@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=EXAMPLES <= 50,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_schema_conformance_and_no_change_on_refusal(case, caller, callers, stored_state):
    key = callers.key(caller)
    before = stored_state()
    response = send(case, key)
    case.validate_response(response, checks=CHECKS)
    if 400 <= response.status_code < 500 or subsonic_failed(response):
        assert stored_state() == before, f"{case.method} {case.formatted_path} refused with {response.status_code} but changed stored rows"


def subsonic_failed(response):
    """OpenSubsonic refuses with HTTP 200 and ``status="failed"`` (XML or JSON)."""
    if not response.request.url.path.startswith("/rest/"):
        return False
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()["subsonic-response"]["status"] == "failed"
    return 'status="failed"' in response.text[:400]
