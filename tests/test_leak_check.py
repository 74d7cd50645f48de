"""A whole-run leak check against a real engine process.

A real ``manage.py serve`` with its own data directory, SQLite file and log is driven through
every path that handles a secret: keys created (one per role), used, mistyped, used in the hub's
query string, revoked and used again; provider secrets stored, read back masked and probed; the
master key given through the environment. Then the process stops and everything it left is
searched for the plaintexts: every file of the data directory (the database, its WAL, caches),
the whole server log, and every HTTP response but the one that created the key.
"""

import secrets
import socket
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from tests.servers import EngineServer, LOOPBACK, engine_environment, manage, migrate

pytestmark = pytest.mark.services
ROLES = ("Administrator", "Curator", "Consumer")


def unused_port():
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def fragments(secret):
    """The secret and the parts of it that would still betray it if logged alone."""
    parts = {secret}
    if secret.startswith("mek_"):
        # The key id is public (it is the prefix shown in lists); the secret part is not.
        parts.add(secret.split("_", 2)[2])
    return parts


def places_holding(needles, data_dir, log_text, responses):
    found = []
    for path in Path(data_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path), needle[:12]) for needle in needles if needle.encode() in data]
    found += [("server log", needle[:12]) for needle in needles if needle in log_text]
    for label, text in responses:
        found += [(label, needle[:12]) for needle in needles if needle in text]
    return found


def test_no_key_provider_secret_or_master_key_outlives_the_response_that_created_it(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    master_key = Fernet.generate_key().decode()
    dead_end = f"http://{LOOPBACK}:{unused_port()}"
    env = engine_environment(
        data_dir, MASTER_KEY=master_key, TMDB_URL=dead_end, MUSICBRAINZ_URL=dead_end, DEBUG="0",
        ALLOWED_HOSTS="localhost,127.0.0.1,media.example.test",
    )
    migrate(env)
    tmdb_secret = secrets.token_hex(16)
    musicbrainz_secret = f"mb-{secrets.token_urlsafe(24)}"
    responses = []
    keys = {}

    with EngineServer(env) as server:
        # The loopback Administrator sets things up, as on a fresh home server.
        with httpx.Client(base_url=server.url, headers={"Host": "localhost"}, timeout=10) as local:

            def seen(label, response):
                responses.append((label, response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())))
                return response

            for role in ROLES:
                created = local.post("/admin/api-keys", json={"label": f"leak {role}", "role": role})
                assert created.status_code == 201, created.text
                keys[role] = created.json()["key"]
                # The creating response is the one place the key may appear: not recorded.
            assert seen("store tmdb", local.put("/admin/providers/tmdb/secret", json={"value": tmdb_secret})).status_code == 200
            assert seen("store musicbrainz", local.put(
                "/admin/providers/musicbrainz/secret", json={"value": musicbrainz_secret})).status_code == 200

        # A name that is not loopback: these callers are judged by their keys, not the bypass.
        with httpx.Client(base_url=server.url, headers={"Host": "media.example.test"}, timeout=10) as remote:
            for role, key in keys.items():
                headers = {"X-Api-Key": key}
                for path in ("/system/status", "/library/works", "/admin/api-keys", "/admin/audit",
                             "/settings/providers", "/admin/providers/tmdb/secret", "/schema/"):
                    seen(f"{role} GET {path}", remote.get(path, headers=headers))
                seen(f"{role} ticket", remote.post("/hubs/intercom/ticket", headers=headers))
                seen(f"{role} negotiate", remote.post("/hubs/intercom/negotiate?negotiateVersion=1", headers=headers))
                seen(f"{role} query key", remote.post(f"/hubs/intercom/negotiate?access_token={key}"))
                seen(f"{role} query key elsewhere", remote.get(f"/library/works?access_token={key}"))
                seen(f"{role} bearer", remote.post("/hubs/intercom/negotiate", headers={"Authorization": f"Bearer {key}"}))
                seen(f"{role} mistyped", remote.get("/library/works", headers={"X-Api-Key": key[:-1] + ("x" if key[-1] != "x" else "y")}))
                seen(f"{role} truncated", remote.get("/library/works", headers={"X-Api-Key": key[:30]}))
                seen(f"{role} bad input", remote.post("/admin/api-keys", headers=headers, json={"label": key, "role": "Nobody"}))
            admin = {"X-Api-Key": keys["Administrator"]}
            listing = seen("key list", remote.get("/admin/api-keys", headers=admin)).json()["results"]
            consumer_id = next(row["id"] for row in listing if row["role"] == "Consumer")
            seen("revoke", remote.delete(f"/admin/api-keys/{consumer_id}", headers=admin))
            assert seen("revoked use", remote.get("/library/works", headers={"X-Api-Key": keys["Consumer"]})).status_code == 401
            seen("audit", remote.get("/admin/audit", headers=admin))
            seen("providers", remote.get("/settings/providers", headers=admin))
            seen("status", remote.get("/system/status", headers=admin))
    log_text = Path(server.log_path).read_text(errors="replace")

    needles = set().union(*(fragments(key) for key in keys.values()), {tmdb_secret, musicbrainz_secret, master_key})
    assert len(responses) > 50
    assert "GET /library/works" in log_text or "/library/works" in log_text, "the access log was not captured"
    assert not places_holding(needles, data_dir, log_text, responses)
