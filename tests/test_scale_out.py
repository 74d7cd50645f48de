"""Scale-out: two server processes and one task worker on PostgreSQL and Redis keep every guarantee.

The module starts a throwaway PostgreSQL cluster, ``redis-server``, two ``manage.py serve``
processes (A and B, each with its own data directory, as two hosts would have) and one
``manage.py db_worker``, all on loopback. Both servers run with ``MEDIA_ENGINE_TASK_WORKER=external``,
so a scan can only run on the worker.
"""

import asyncio
import json
import secrets
import time
import wave

import httpx
import pytest

from tests.servers import EngineServer, RedisServer, TaskWorker, engine_environment, manage, migrate

pytestmark = pytest.mark.services

RS = "\x1e"
WORKER_ID = "scale-out-worker"
#: Longer than any of these tests waits for a revocation to close a socket through Redis, and
#: shorter than the hub's periodic re-check of keys (30 s), which must not be what closes it.
REVOCATION_WAIT = 10.0
EVENT_WAIT = 60.0


class Deployment:
    def __init__(self, postgres, redis, env_a, env_b, admin_key):
        self.postgres, self.redis, self.admin_key = postgres, redis, admin_key
        self.env_a, self.env_b = env_a, env_b
        self.a = self.b = self.worker = None

    def admin(self, server, method, path, **kwargs):
        return httpx.request(method, f"{server.url}{path}", headers={"X-Api-Key": self.admin_key}, timeout=30, **kwargs)

    def new_key(self, label, role):
        """A key made with the management command (which the key-generation quota does not count)."""
        plaintext = manage(self.env_a, "apikey", "create", "--label", label, "--role", role).stdout.strip()
        listing = self.admin(self.a, "GET", "/admin/api-keys").json()["results"]
        (key_id,) = [entry["id"] for entry in listing if entry["label"] == label]
        return key_id, plaintext

    def query(self, sql, *params):
        import psycopg

        with psycopg.connect(self.postgres.url()) as connection:
            return connection.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_cluster):
    postgres = postgres_cluster.new_database()
    with RedisServer() as redis:
        shared = {
            "DATABASE_URL": postgres.url(),
            "REDIS_URL": redis.url,
            "TASK_WORKER": "external",
            # Hosts of one deployment share the signing key (hub tickets, stream links).
            "SECRET_KEY": secrets.token_urlsafe(40),
            # The general quota is not what this module shows; the key-generation one keeps 5/m.
            "RATE_GENERAL": "10000/m",
            "RATE_KEYGEN": "5/m",
        }
        env_a = engine_environment(tmp_path_factory.mktemp("host-a"), **shared)
        env_b = engine_environment(tmp_path_factory.mktemp("host-b"), **shared)
        worker_env = engine_environment(tmp_path_factory.mktemp("worker"), **shared)
        migrate(env_a)
        admin_key = manage(env_a, "apikey", "create", "--label", "operations", "--role", "Administrator").stdout.strip()
        deployment = Deployment(postgres, redis, env_a, env_b, admin_key)
        with EngineServer(env_a) as a, EngineServer(env_b) as b, TaskWorker(worker_env, worker_id=WORKER_ID) as worker:
            deployment.a, deployment.b, deployment.worker = a, b, worker
            yield deployment


def write_wav(path, seconds=1):
    with wave.open(str(path), "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(8000)
        audio.writeframes(bytes(2 * 8000 * seconds))
    return path


async def open_hub(server, key):
    """A SignalR JSON-protocol connection to ``server``'s hub, past the handshake."""
    from websockets.asyncio.client import connect

    socket = await connect(f"ws://127.0.0.1:{server.port}/hubs/intercom", additional_headers={"X-Api-Key": key})
    await socket.send(json.dumps({"protocol": "json", "version": 1}) + RS)
    assert await asyncio.wait_for(socket.recv(), 10) == "{}" + RS
    return socket


async def hub_messages(socket, timeout):
    """Yields the hub messages (pings left out) until ``timeout`` seconds pass without one."""
    while True:
        frame = await asyncio.wait_for(socket.recv(), timeout)
        for record in frame.split(RS)[:-1]:
            message = json.loads(record)
            if message.get("type") != 6:
                yield message


def test_two_servers_grant_five_key_generations_in_total(deployment):
    new_key = {"label": "quota", "role": "Consumer"}
    servers = [deployment.a, deployment.b] * 3
    statuses = [deployment.admin(server, "POST", "/admin/api-keys", json=new_key).status_code for server in servers]
    assert statuses == [201] * 5 + [429]
    refused = deployment.admin(deployment.a, "POST", "/admin/api-keys", json=new_key)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"


def test_key_revoked_through_one_server_is_refused_by_the_other_on_its_next_request(deployment):
    key_id, key = deployment.new_key("revoked-over-http", "Consumer")
    assert httpx.get(f"{deployment.b.url}/library/works", headers={"X-Api-Key": key}).status_code == 200

    revoked = deployment.admin(deployment.a, "DELETE", f"/admin/api-keys/{key_id}")
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None

    refused = httpx.get(f"{deployment.b.url}/library/works", headers={"X-Api-Key": key})
    assert refused.status_code == 401
    assert refused.json()["code"]


async def test_hub_client_on_one_server_receives_events_of_a_scan_started_through_the_other(deployment, tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    write_wav(folder / "tone.wav")
    created = await asyncio.to_thread(deployment.admin, deployment.a, "POST", "/settings/folders", json={"path": str(folder)})
    assert created.status_code == 201, created.text

    socket = await open_hub(deployment.b, deployment.admin_key)
    try:
        started = await asyncio.to_thread(
            deployment.admin, deployment.a, "POST", "/ingestion/scan", json={"folder_id": created.json()["id"]}
        )
        assert started.status_code == 202, started.text
        job_id = started.json()["id"]
        seen = []
        async for message in hub_messages(socket, EVENT_WAIT):
            if message.get("type") == 1 and message["arguments"][0].get("jobId", job_id) == job_id:
                seen.append(message["target"])
            if message.get("target") in ("IngestionCompleted", "IngestionFailed"):
                break
    finally:
        await socket.close()

    assert seen[0] == "IngestionStarted"
    assert "MediaAdded" in seen
    assert seen[-1] == "IngestionCompleted"
    job = (await asyncio.to_thread(deployment.admin, deployment.b, "GET", f"/ingestion/jobs/{job_id}")).json()
    assert job["state"] == "completed" and job["added"] == 1


def test_scan_ran_on_the_task_worker_not_on_a_server(deployment, tmp_path):
    folder = tmp_path / "more-music"
    folder.mkdir()
    write_wav(folder / "another.wav")
    created = deployment.admin(deployment.b, "POST", "/settings/folders", json={"path": str(folder)})
    job = deployment.admin(deployment.b, "POST", "/ingestion/scan", json={"folder_id": created.json()["id"]}).json()

    rows = []
    for _ in range(300):
        rows = deployment.query(
            "SELECT t.status, t.worker_ids FROM library_scanjob j "
            "JOIN django_tasks_database_dbtaskresult t ON t.id::text = j.task_id WHERE j.id = %s",
            job["id"],
        )
        if rows and rows[0][0] in ("SUCCESSFUL", "FAILED"):
            break
        time.sleep(0.1)
    assert rows == [("SUCCESSFUL", [WORKER_ID])]
    assert deployment.admin(deployment.a, "GET", f"/ingestion/jobs/{job['id']}").json()["state"] == "completed"


async def test_hub_client_on_one_server_is_disconnected_when_its_key_is_revoked_through_the_other(deployment):
    key_id, key = await asyncio.to_thread(deployment.new_key, "revoked-over-hub", "Consumer")
    socket = await open_hub(deployment.b, key)
    try:
        revoked = await asyncio.to_thread(deployment.admin, deployment.a, "DELETE", f"/admin/api-keys/{key_id}")
        assert revoked.status_code == 200, revoked.text
        assert revoked.json()["revoked_at"] is not None
        from websockets.exceptions import ConnectionClosed

        closing = []
        with pytest.raises(ConnectionClosed):
            async for message in hub_messages(socket, REVOCATION_WAIT):
                closing.append(message)
    finally:
        await socket.close()
    assert closing and closing[-1]["type"] == 7
    assert socket.close_code == 1000


def test_the_works_total_on_postgresql_is_kept_by_its_triggers(deployment, tmp_path):
    folder = tmp_path / "counted"
    folder.mkdir()
    write_wav(folder / "counted.wav", seconds=3)  # content of its own: one more work, not one more copy
    created = deployment.admin(deployment.a, "POST", "/settings/folders", json={"path": str(folder)}).json()
    job = deployment.admin(deployment.a, "POST", "/ingestion/scan", json={"folder_id": created["id"]}).json()
    for _ in range(300):
        if deployment.admin(deployment.a, "GET", f"/ingestion/jobs/{job['id']}").json()["state"] in ("completed", "failed"):
            break
        time.sleep(0.1)

    def totals():
        listed = deployment.admin(deployment.b, "GET", "/library/works", params={"page_size": 1}).json()["count"]
        music = deployment.admin(deployment.b, "GET", "/library/works", params={"kind": "music"}).json()["count"]
        ((table,),) = deployment.query("SELECT count(*) FROM library_work")
        ((table_music,),) = deployment.query("SELECT count(*) FROM library_work WHERE kind = 'music'")
        return listed, music, table, table_music

    listed, music, table, table_music = totals()
    assert (listed, music) == (table, table_music) and music >= 1
    assert deployment.admin(deployment.a, "DELETE", f"/settings/folders/{created['id']}").status_code == 204
    assert totals() == (table - 1, table_music - 1, table - 1, table_music - 1)
