"""The official SignalR JavaScript client (``@microsoft/signalr`` from npm) against a real engine.

The engine is a real ``manage.py serve`` process (uvicorn) with its own data directory and the
localhost bypass off, so that a client without a key on this machine is a stranger. The npm
package is installed by the test run into ``tests/.node`` (ignored by git, kept between runs).
"""

import json
import os
import re
import subprocess

import httpx
import pytest

from tests.servers import EngineServer, engine_environment, manage, migrate
from tests.signalr_clients import JS_DIR, NODE_DIR, node  # noqa: F401

pytestmark = pytest.mark.services

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")
#: An MPEG audio file as the scanner recognises one: an ID3v2 header, then MPEG frame headers.
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 8


def create_key(env, role, label):
    created = manage(env, "apikey", "create", "--label", label, "--role", role)
    return KEY_PATTERN.search(created.stdout).group(0)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("hub-engine")
    env = engine_environment(data_dir, LOCALHOST_BYPASS="false", RATE_GENERAL="100000/m")
    migrate(env)
    server = EngineServer(env)
    server.admin_key = create_key(env, "Administrator", "hub admin")
    server.curator_key = create_key(env, "Curator", "hub curator")
    server.data_dir = data_dir
    server.env = env
    with server:
        yield server


class HubClient:
    """One run of tests/js/hub_client.js; its JSON lines are read as they come."""

    def __init__(self, node, engine, **options):
        options = {"url": f"{engine.url}/hubs/intercom", **options}
        environment = {**os.environ, "NODE_PATH": str(NODE_DIR / "node_modules")}
        self.process = subprocess.Popen(
            [node, str(JS_DIR / "hub_client.js"), json.dumps(options)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
        )

    def next_line(self):
        line = self.process.stdout.readline()
        if not line:
            self.process.wait(timeout=30)
            raise AssertionError(f"hub client ended early: {self.process.stderr.read()[-2000:]}")
        return json.loads(line)

    def finish(self):
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def connect(node, engine, **options):
    client = HubClient(node, engine, **options)
    try:
        return client.next_line()
    finally:
        client.finish()


@pytest.mark.parametrize("auth", ["header", "bearer"])
@pytest.mark.parametrize("skip_negotiation", [False, True])
def test_official_client_connects_with_a_curator_key(node, engine, auth, skip_negotiation):
    result = connect(node, engine, key=engine.curator_key, auth=auth, skipNegotiation=skip_negotiation)
    assert result == {"connected": True, "ping": "Pong", "unknownMethodError": "Unknown hub method 'NoSuchMethod'"}


def admin_request(engine, method, path, status, **kwargs):
    response = httpx.request(method, f"{engine.url}{path}", headers={"X-Api-Key": engine.admin_key}, timeout=30, **kwargs)
    assert response.status_code == status, (path, response.status_code, response.text)
    return response.json() if response.content else None


def test_official_client_receives_media_added_after_a_scan(node, engine, tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    (folder / "blue-train.mp3").write_bytes(MP3_BYTES)
    client = HubClient(node, engine, key=engine.curator_key, auth="header", waitFor="MediaAdded", timeoutMs=30000)
    try:
        assert client.next_line()["connected"] is True
        created = admin_request(engine, "POST", "/settings/folders", 201, json={"path": str(folder)})
        admin_request(engine, "POST", "/ingestion/scan", 202, json={"folder_id": created["id"]})
        event = client.next_line()
    finally:
        client.finish()
    assert event["event"] == "MediaAdded", event
    assert {"workId", "title", "kind"} <= set(event["payload"])
    assert "path" not in event["payload"]


def assert_refused(result, status):
    """Negotiating clients report the HTTP status; skipNegotiation ones only that the socket failed
    (the browser WebSocket API hides the status; the raw-status tests below check it)."""
    assert result["connected"] is False, result
    assert f"{status}" in result["error"] or "WebSocket failed to connect" in result["error"], result


def test_official_client_without_a_key_is_refused(node, engine):
    result = connect(node, engine, auth="none")
    assert result["statusCode"] == 401, result
    assert_refused(connect(node, engine, auth="none", skipNegotiation=True), 401)


def test_official_client_with_a_bad_origin_is_refused(node, engine):
    result = connect(node, engine, key=engine.curator_key, auth="header", origin="https://evil.example")
    assert result["statusCode"] == 403, result
    options = dict(key=engine.curator_key, auth="header", origin="https://evil.example", skipNegotiation=True)
    assert_refused(connect(node, engine, **options), 403)


def test_revoking_a_key_closes_the_official_clients_connection_and_refuses_it_after(node, engine):
    key = create_key(engine.env, "Curator", "to revoke")
    client = HubClient(node, engine, key=key, auth="bearer", waitFor="MediaAdded", timeoutMs=20000)
    try:
        assert client.next_line()["connected"] is True
        key_id = next(k["id"] for k in admin_request(engine, "GET", "/admin/api-keys?page_size=500", 200)["results"] if key.startswith(k["prefix"]))
        assert admin_request(engine, "DELETE", f"/admin/api-keys/{key_id}", 200)["revoked_at"] is not None
        ended = client.next_line()
    finally:
        client.finish()
    assert ended["event"] is None
    assert "The API key was revoked." in ended["closedWith"]
    assert connect(node, engine, key=key, auth="bearer")["statusCode"] == 401
    assert_refused(connect(node, engine, key=key, auth="bearer", skipNegotiation=True), 401)
    assert raw_upgrade_status(engine, {"Authorization": f"Bearer {key}"})[0] == 401


def raw_upgrade_status(engine, headers, origin=None):
    """``(status, headers, body)`` of a refused upgrade, seen by a plain WebSocket client."""
    import asyncio

    import websockets

    async def attempt():
        url = engine.url.replace("http", "ws") + "/hubs/intercom"
        try:
            async with websockets.connect(url, additional_headers=headers, origin=origin):
                return None
        except websockets.InvalidStatus as exc:
            return exc.response

    response = asyncio.run(attempt())
    assert response is not None, "the upgrade was accepted"
    return response.status_code, response.headers, json.loads(response.body)


def test_refused_upgrade_is_a_json_401_from_the_real_server(engine):
    status, headers, body = raw_upgrade_status(engine, {})
    assert status == 401
    assert headers["WWW-Authenticate"].startswith("ApiKey")
    assert body["code"] == "not_authenticated"


def test_bad_origin_upgrade_is_a_json_403_from_the_real_server(engine):
    status, _, body = raw_upgrade_status(engine, {"X-Api-Key": engine.curator_key}, origin="https://evil.example")
    assert (status, body["code"]) == (403, "origin_not_allowed")


def test_oversized_frame_closes_the_socket_on_the_real_server(engine):
    import asyncio

    import websockets

    async def attempt():
        url = engine.url.replace("http", "ws") + "/hubs/intercom"
        async with websockets.connect(url, additional_headers={"X-Api-Key": engine.curator_key}, max_size=None) as ws:
            await ws.send('{"protocol":"json","version":1}\x1e')
            assert await ws.recv() == "{}\x1e"
            try:
                # The server may close while the frame is still being written: either call sees it.
                await ws.send("x" * (10 * 1024 * 1024))
                while True:
                    await asyncio.wait_for(ws.recv(), 10)
            except websockets.ConnectionClosed as closed:
                return closed.rcvd.code if closed.rcvd else None

    assert asyncio.run(attempt()) == 1009
    # The server is still serving.
    assert httpx.get(f"{engine.url}/system/status", timeout=5).status_code == 200
