"""A second device follows a profile's play queue and playlists live, with the official SignalR
client (``@microsoft/signalr`` under Node) against a real ``manage.py serve``; another profile's
devices hear nothing of a private change."""

import httpx
import pytest

from tests.servers import EngineServer, engine_environment, manage, migrate
from tests.state_fixtures import write_song
from tests.test_hub_signalr_client import KEY_PATTERN, HubClient, node  # noqa: F401

pytestmark = pytest.mark.services

#: How long a device that must hear nothing waits before it says so.
QUIET_MS = 3000


def key_for(env, label, profile):
    created = manage(env, "apikey", "create", "--label", label, "--role", "Consumer", "--profile", profile)
    return KEY_PATTERN.search(created.stdout).group(0)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("state-hub-engine")
    music = tmp_path_factory.mktemp("state-hub-music")
    for number in range(2):
        write_song(music / f"{number}.mp3", f"Song {number}", "Band", "Album", "", salt=number)
    env = engine_environment(data_dir, LOCALHOST_BYPASS="false", RATE_GENERAL="100000/m")
    migrate(env)
    admin = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "admin", "--role", "Administrator").stdout).group(0)
    with EngineServer(env) as server:
        headers = {"X-Api-Key": admin}
        for name in ("Ana", "Ben"):
            httpx.post(f"{server.url}/profiles", json={"display_name": name}, headers=headers).raise_for_status()
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(music)}, headers=headers).json()["id"]
        manage(env, "scan", str(folder))
        server.work_ids = [work["id"] for work in httpx.get(f"{server.url}/library/works", headers=headers).json()["results"]]
        server.keys = {
            "ana phone": key_for(env, "Ana's phone", "Ana"), "ana tablet": key_for(env, "Ana's tablet", "Ana"),
            "ben phone": key_for(env, "Ben's phone", "Ben"),
        }
        yield server


def follow(node, engine, device, event, timeout_ms=20000):  # noqa: F811
    client = HubClient(node, engine, key=engine.keys[device], auth="header", waitFor=event, timeoutMs=timeout_ms)
    assert client.next_line()["connected"] is True
    return client


def request(engine, device, method, path, **kwargs):
    response = httpx.request(method, f"{engine.url}{path}", headers={"X-Api-Key": engine.keys[device]}, timeout=30, **kwargs)
    assert response.status_code < 300, response.text
    return response.json() if response.content else None


def heard(client):
    try:
        return client.next_line()
    finally:
        client.finish()


def test_the_tablet_hears_the_queue_the_phone_saved_and_another_profile_hears_nothing(node, engine):  # noqa: F811
    tablet = follow(node, engine, "ana tablet", "PlayQueueChanged")
    stranger = follow(node, engine, "ben phone", "PlayQueueChanged", timeout_ms=QUIET_MS)
    request(engine, "ana phone", "PUT", "/me/play-queue", json={"entries": engine.work_ids, "current_index": 1, "position_ms": 42_000})
    event = heard(tablet)
    assert event["event"] == "PlayQueueChanged"
    payload = event["payload"]
    assert (payload["changedBy"], payload["currentIndex"], payload["positionMs"], payload["entryCount"]) == ("Ana's phone", 1, 42_000, 2)
    assert heard(stranger)["event"] is None
    queue = request(engine, "ana tablet", "GET", "/me/play-queue")
    assert (queue["entries"], queue["current_index"], queue["position_ms"]) == (engine.work_ids, 1, 42_000)


def test_a_private_playlist_change_reaches_its_owners_devices_and_a_public_one_everybody(node, engine):  # noqa: F811
    tablet = follow(node, engine, "ana tablet", "PlaylistChanged")
    stranger = follow(node, engine, "ben phone", "PlaylistChanged", timeout_ms=QUIET_MS)
    created = request(engine, "ana phone", "POST", "/playlists", json={"name": "Mine", "entries": engine.work_ids[:1]})
    assert heard(tablet) == {
        "event": "PlaylistChanged",
        "payload": {"playlistId": created["id"], "ownerId": created["owner"]["id"], "change": "created", "public": False},
    }
    assert heard(stranger)["event"] is None

    stranger = follow(node, engine, "ben phone", "PlaylistChanged")
    request(engine, "ana phone", "PATCH", f"/playlists/{created['id']}", json={"public": True})
    assert heard(stranger)["payload"] == {"playlistId": created["id"], "ownerId": created["owner"]["id"], "change": "updated", "public": True}
    assert request(engine, "ben phone", "GET", f"/playlists/{created['id']}")["entries"] == engine.work_ids[:1]
