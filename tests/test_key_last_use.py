"""A key's last use is recorded without a database write on the request that used it.

Reads are most of what clients send; a write per read (or per key and minute) takes SQLite's
one write lock on the request path, behind any scan that holds it. Uses are kept in memory and
written by the server in the background, and when the server stops.
"""

import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from security import key_use
from security.models import ApiKey
from tests.servers import EngineServer, engine_environment, manage, migrate

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture(autouse=True)
def no_uses_from_earlier_tests(db):
    """Uses noted by earlier tests' requests are written (to rows long rolled back) first."""
    key_use.flush()


def writes(queries):
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.parametrize("path", ["/system/status", "/library/works", "/library/works?kind=music", "/admin/api-keys"])
def test_a_read_request_with_a_key_writes_nothing(client_as, path):
    client = client_as("Administrator")
    for attempt in ("first use", "later use"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        assert response.status_code == 200, (attempt, response.json())
        assert writes(captured.captured_queries) == [], attempt


def test_the_use_is_written_by_the_flush_once_per_key(make_key, remote):
    api_key, plaintext = make_key("Consumer")
    for _ in range(3):
        assert remote.get("/library/works", key=plaintext).status_code == 200
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is None
    with CaptureQueriesContext(connection) as captured:
        key_use.flush()
    assert len(writes(captured.captured_queries)) == 1
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at is not None


def test_a_flush_never_moves_the_last_use_back(make_key, remote):
    api_key, plaintext = make_key("Consumer")
    remote.get("/system/status", key=plaintext)
    key_use.flush()
    later = ApiKey.objects.get(pk=api_key.pk).last_used_at
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=later.replace(year=later.year + 1))
    remote.get("/system/status", key=plaintext)
    key_use.flush()
    assert ApiKey.objects.get(pk=api_key.pk).last_used_at.year == later.year + 1


def last_used_at(data_dir, key_id):
    with sqlite3.connect(Path(data_dir) / "engine.sqlite3") as database:
        return database.execute("SELECT last_used_at FROM security_apikey WHERE key_id = ?", [key_id]).fetchone()[0]


def consumer_key(env):
    created = manage(env, "apikey", "create", "--label", "phone", "--role", "Consumer").stdout
    plaintext = next(word for word in created.split() if word.startswith("mek_"))
    return plaintext, plaintext.split("_")[1]


def test_a_server_writes_uses_in_the_background(tmp_path):
    env = engine_environment(tmp_path, KEY_USE_FLUSH="1")
    migrate(env)
    plaintext, key_id = consumer_key(env)
    with EngineServer(env) as engine:
        assert httpx.get(f"{engine.url}/library/works", headers={"X-Api-Key": plaintext}).status_code == 200
        deadline = time.monotonic() + 10
        while last_used_at(tmp_path, key_id) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert last_used_at(tmp_path, key_id) is not None


def test_a_server_that_stops_writes_the_uses_it_holds(tmp_path):
    env = engine_environment(tmp_path)  # the default interval, far longer than this test
    migrate(env)
    plaintext, key_id = consumer_key(env)
    with EngineServer(env) as engine:
        assert httpx.get(f"{engine.url}/system/status", headers={"X-Api-Key": plaintext}).status_code == 200
        assert last_used_at(tmp_path, key_id) is None
    assert last_used_at(tmp_path, key_id) is not None
