"""The hub as SignalR clients nobody on this project wrote use it, against a real server.

signalrcore and pysignalr (Python) beside the official ``@microsoft/signalr`` (Node): each
connects with its key the ways its documentation shows, receives a real scan's ``MediaAdded``,
stays connected while idle, and is closed within a second of its key's revocation over HTTP.

The server runs with the embedded defaults, the localhost bypass included, as ``make run`` does:
every client here is on this machine, so a client the hub misjudged would be the Administrator.
A Consumer key's connection must see ``MediaAdded`` and never the Administrator-only
``WatchFolderActive`` that adding the scanned folder sends.
"""

import time

import pytest

from tests.live_engine import add_folder, api, create_key, key_id, live_engine, scan
from tests.signalr_clients import MicrosoftSignalR, PySignalR, SignalRCore, node  # noqa: F401

pytestmark = pytest.mark.services

#: An MPEG audio file as the scanner recognises one: an ID3v2 header, then MPEG frame headers.
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 8
EVENTS = ("MediaAdded", "WatchFolderActive")
#: A key with a valid checksum that the engine never issued.
WRONG_KEY = "mek_000000000000_" + "0" * 43


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with live_engine(tmp_path_factory.mktemp("hub-clients")) as server:
        yield server


@pytest.fixture
def hub_url(engine):
    return f"{engine.url}/hubs/intercom"


def scan_new_music(engine, folder, name):
    """Add ``folder`` with one new track and scan it: WatchFolderActive, then MediaAdded."""
    folder.mkdir()
    (folder / f"{name}.mp3").write_bytes(MP3_BYTES + name.encode())
    scan(engine, add_folder(engine, folder)["id"])


def make_client(kind, node, hub_url, key, mode, keep_alive=False):
    """A client of ``kind`` with ``key`` given as ``mode``: header, query (access_token), bearer;
    ``-skip`` connects without negotiating. ``keep_alive`` configures signalrcore's pings."""
    auth, _, skip = mode.partition("-")
    skip_negotiation = skip == "skip"
    url = f"{hub_url}?access_token={key}" if auth == "query" else hub_url
    headers = {"X-Api-Key": key} if auth == "header" else None
    if kind == "signalrcore":
        factory = (lambda: key) if auth == "bearer" else None
        return SignalRCore(
            url, headers=headers, token_factory=factory, skip_negotiation=skip_negotiation, events=EVENTS, keep_alive=keep_alive,
        )
    if kind == "pysignalr":
        assert not skip_negotiation, "pysignalr's SignalRClient always negotiates"
        return PySignalR(url, headers=headers, events=EVENTS)
    return MicrosoftSignalR(node, hub_url, key=key, auth=auth, skip_negotiation=skip_negotiation, events=EVENTS)


CONNECTIONS = [
    ("signalrcore", "header"), ("signalrcore", "header-skip"), ("signalrcore", "query"), ("signalrcore", "query-skip"),
    ("signalrcore", "bearer"), ("pysignalr", "header"), ("pysignalr", "query"),
    ("@microsoft/signalr", "query"), ("@microsoft/signalr", "query-skip"),
]


@pytest.fixture
def js_node(request):
    """Node only for the official client's cases, so the Python cases run where Node is missing."""
    return request.getfixturevalue("node") if "@microsoft/signalr" in request.node.name else None


@pytest.mark.parametrize("kind, mode", CONNECTIONS)
def test_client_with_a_consumer_key_receives_media_added_and_no_administrator_event(engine, hub_url, js_node, tmp_path, kind, mode):
    client = make_client(kind, js_node, hub_url, engine.keys["Consumer"], mode).start()
    try:
        assert client.ping() == "Pong"
        scan_new_music(engine, tmp_path / "music", f"{kind}-{mode}".replace("@", "").replace("/", "-"))
        payload = client.next_event("MediaAdded")
    finally:
        client.stop()
    assert {"workId", "title", "kind"} <= set(payload), payload
    assert "path" not in payload
    assert "WatchFolderActive" not in client.drain(), f"{kind} with a Consumer key received an Administrator-only event"


@pytest.mark.parametrize("kind", ["signalrcore", "pysignalr", "@microsoft/signalr"])
def test_client_is_closed_within_a_second_of_its_keys_revocation(engine, hub_url, js_node, kind):
    key = create_key(engine.env, "Consumer", f"revoked under {kind}")
    client = make_client(kind, js_node, hub_url, key, "header").start()
    try:
        assert client.ping() == "Pong"
        pk = key_id(engine, key)
        revoked_at = time.monotonic()
        api(engine, "DELETE", f"/admin/api-keys/{pk}", expect=200)
        assert client.closed.wait(5), f"{kind} still connected 5 s after its key was revoked"
    finally:
        client.stop()
    assert client.closed_at - revoked_at < 1.0, f"{kind} closed {client.closed_at - revoked_at:.2f} s after the revocation"
    if kind != "signalrcore":  # signalrcore's close callback carries no reason
        assert "revoked" in (client.close_error or ""), client.close_error


def test_idle_clients_stay_connected_for_a_minute(engine, hub_url, node):
    """One minute of silence from the application: only the clients' own keep-alive flows.

    The three run at once so that the suite waits the minute once."""
    key = engine.keys["Consumer"]
    kinds = ("signalrcore", "pysignalr", "@microsoft/signalr")
    clients = [make_client(kind, node, hub_url, key, "header", keep_alive=True).start() for kind in kinds]
    try:
        time.sleep(65)
        dropped = {client.kind: client.close_error for client in clients if client.closed.is_set()}
        assert not dropped, f"dropped while idle: {dropped}"
        assert [client.ping() for client in clients] == ["Pong"] * 3
    finally:
        for client in clients:
            client.stop()


@pytest.mark.parametrize("key", ["Consumer", "wrong"])
def test_pysignalr_with_a_token_factory_is_not_taken_for_this_machines_administrator(engine, hub_url, tmp_path, key):
    """pysignalr's ``access_token_factory`` (configured as its README shows, with a custom header)
    sets ``Authorization`` only after the socket opened: its negotiate and upgrade carry no key,
    its invocations do. The hub must not keep serving it as the local Administrator."""
    plaintext = engine.keys["Consumer"] if key == "Consumer" else WRONG_KEY
    client = PySignalR(hub_url, headers={"X-Client": "media-engine-tests"}, token_factory=lambda: plaintext, events=EVENTS)
    client.start()
    try:
        client.invoke("Subscribe", [["WatchFolderActive"]], wait=False)
        client.closed.wait(5)
        add_folder(engine, tmp_path)
        time.sleep(1)
        seen = client.drain()
    finally:
        client.stop()
    assert "WatchFolderActive" not in seen, f"pysignalr with a {key} key received an Administrator-only event"
    assert client.closed.is_set()
    assert "X-Api-Key" in (client.close_error or ""), client.close_error
