"""One hub connection may make only so many invocations; an abuser is closed with a SignalR Close.

4,000 invocations sent on one socket within 0.2 s were all answered, each a Completion the
server built and sent. ``MEDIA_ENGINE_HUB_INVOCATION_RATE`` (50 every 10 s, as a bucket that
refills) limits each connection; past it the hub sends a Close message carrying the error, as
SignalR servers do, and closes the socket. Run against a real server with the ``websockets``
client library.
"""

import json

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.servers import EngineServer, engine_environment, manage
from tests.streaming_servers import KEY_PATTERN

pytestmark = pytest.mark.services

RS = "\x1e"
FLOOD = 4000


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    env = engine_environment(tmp_path_factory.mktemp("hub-limit"), HUB_INVOCATION_RATE="50/10s")
    manage(env, "migrate", "--no-input")
    key = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "hub", "--role", "Consumer").stdout).group(0)
    with EngineServer(env) as server:
        yield server, key


def open_hub(engine):
    server, key = engine
    socket = connect(f"ws://127.0.0.1:{server.port}/hubs/intercom", additional_headers={"X-Api-Key": key}, open_timeout=10)
    socket.send(json.dumps({"protocol": "json", "version": 1}) + RS)
    assert socket.recv(timeout=10) == "{}" + RS
    return socket


def ping(n):
    return json.dumps({"type": 1, "invocationId": str(n), "target": "Ping", "arguments": []}) + RS


def messages_until_closed(socket):
    """Every message until the server closes the socket (or falls silent for 5 s)."""
    received = []
    try:
        while True:
            received += [json.loads(record) for record in socket.recv(timeout=5).split(RS) if record]
    except (ConnectionClosed, TimeoutError):
        return received


def test_a_flood_of_invocations_is_cut_off_with_a_close_message(engine):
    socket = open_hub(engine)
    for start in range(0, FLOOD, 100):
        try:
            socket.send("".join(ping(n) for n in range(start, start + 100)))
        except ConnectionClosed:
            break
    received = messages_until_closed(socket)
    completions = [message for message in received if message["type"] == 3]
    closes = [message for message in received if message["type"] == 7]
    print(f"{len(completions)} of {FLOOD} invocations answered before the close")
    assert len(completions) <= 50
    assert closes and "MEDIA_ENGINE_HUB_INVOCATION_RATE" in closes[-1]["error"]
    assert socket.close_code == 1008


def test_a_client_within_the_budget_is_answered(engine):
    socket = open_hub(engine)
    with socket:
        for n in range(20):
            socket.send(ping(n))
            assert json.loads(socket.recv(timeout=10).rstrip(RS)) == {"type": 3, "invocationId": str(n), "result": "Pong"}
