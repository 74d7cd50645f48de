"""Connections that stall are dropped; one client cannot hold the server's connections or memory.

uvicorn times out only an idle keep-alive connection: a client that connects and sends half a
request head (slowloris) was kept for ever, 1,000 of them by one client, and a head of any size
was buffered whole. The engine's server protocol gives a request head ``MEDIA_ENGINE_CLIENT_TIMEOUT``
seconds and 64 KiB, idle keep-alive connections ``MEDIA_ENGINE_KEEPALIVE_TIMEOUT`` seconds, and a
process ``MEDIA_ENGINE_MAX_CONNECTIONS`` connections, past which new requests get a JSON 503.
"""

import json
import select
import socket
import time

import pytest

from tests.servers import LOOPBACK, EngineServer, engine_environment, manage
from tests.wire import exchange, parse_answer, request_head, resident_bytes

pytestmark = pytest.mark.services

STALLED = 1000
TIMEOUT = 2


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    env = engine_environment(
        tmp_path_factory.mktemp("slow"), CLIENT_TIMEOUT=TIMEOUT, KEEPALIVE_TIMEOUT=1, MAX_CONNECTIONS=2000,
    )
    manage(env, "migrate", "--no-input")
    with EngineServer(env) as server:
        yield server


def stalled_connections(port, count, prefix=b"GET /system/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"):
    sockets = []
    for _ in range(count):
        sock = socket.create_connection((LOOPBACK, port), timeout=10)
        sock.sendall(prefix)
        sockets.append(sock)
    return sockets


def closed_by_server(sockets, within):
    """The sockets the server closed within ``within`` seconds (EOF or reset)."""
    open_ones, closed = list(sockets), []
    deadline = time.monotonic() + within
    while open_ones and time.monotonic() < deadline:
        readable, _, _ = select.select(open_ones, [], [], 0.2)
        for sock in readable:
            try:
                data = sock.recv(4096)
            except ConnectionResetError:
                data = b""
            if not data:
                closed.append(sock)
                open_ones.remove(sock)
    return closed


def test_a_thousand_half_sent_requests_are_dropped_while_a_normal_client_is_served(engine):
    sockets = stalled_connections(engine.port, STALLED)
    try:
        started = time.monotonic()
        answer = exchange(engine.port, "GET", "/system/status")
        assert answer.status == 200, answer
        closed = closed_by_server(sockets, within=TIMEOUT * 4)
        print(f"{len(closed)} of {STALLED} stalled connections dropped within {time.monotonic() - started:.1f} s")
        assert len(closed) == STALLED
        # And the server still serves.
        assert exchange(engine.port, "GET", "/system/status").status == 200
    finally:
        for sock in sockets:
            sock.close()


def test_a_client_that_connects_and_sends_nothing_is_dropped(engine):
    [sock] = stalled_connections(engine.port, 1, prefix=b"")
    with sock:
        assert closed_by_server([sock], within=TIMEOUT * 3) == [sock]


def test_a_trickled_head_is_dropped_at_the_timeout_though_bytes_keep_coming(engine):
    """A byte every half second resets no clock: the whole head has CLIENT_TIMEOUT seconds."""
    with socket.create_connection((LOOPBACK, engine.port), timeout=10) as sock:
        sock.sendall(b"GET /system/status HTTP/1.1\r\n")
        started = time.monotonic()
        try:
            while time.monotonic() - started < TIMEOUT * 4:
                sock.sendall(b"X")
                time.sleep(0.5)
                readable, _, _ = select.select([sock], [], [], 0)
                if readable and not sock.recv(4096):
                    break
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert time.monotonic() - started < TIMEOUT * 3


def test_an_idle_keep_alive_connection_is_closed_after_the_keep_alive_timeout(engine):
    with socket.create_connection((LOOPBACK, engine.port), timeout=10) as sock:
        sock.sendall(request_head("GET", "/system/status", engine.port))
        received = b""
        while b"}" not in received:
            received += sock.recv(65536)
        assert parse_answer(received).status == 200
        started = time.monotonic()
        assert closed_by_server([sock], within=4) == [sock]
        assert time.monotonic() - started < 3


def test_a_request_head_larger_than_64_kib_is_refused_and_not_kept(engine):
    pid = engine.process.pid
    before = resident_bytes(pid)
    with socket.create_connection((LOOPBACK, engine.port), timeout=10) as sock:
        sock.sendall(b"GET /system/status HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        refused = False
        try:
            for n in range(64):
                sock.sendall(f"X-Pad-{n}: ".encode() + b"a" * 1024 * 1024 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            refused = True
        if not refused:
            sock.settimeout(5)
            try:
                refused = sock.recv(65536).startswith(b"HTTP/1.1 431")
            except ConnectionResetError:
                refused = True
    growth = resident_bytes(pid) - before
    print(f"server RSS growth after a 64 MiB request head: {growth / 2**20:.1f} MiB")
    assert refused
    assert growth < 16 * 2**20


def test_past_the_connection_limit_new_requests_get_a_json_503(tmp_path):
    env = engine_environment(tmp_path, CLIENT_TIMEOUT=30, MAX_CONNECTIONS=20)
    manage(env, "migrate", "--no-input")
    with EngineServer(env) as server:
        sockets = stalled_connections(server.port, 25)
        try:
            answer = exchange(server.port, "GET", "/system/status")
        finally:
            for sock in sockets:
                sock.close()
        assert answer.status == 503
        assert json.loads(answer.body)["code"] == "server_busy"
        assert int(answer.headers["retry-after"]) >= 1
        time.sleep(0.5)
        assert exchange(server.port, "GET", "/system/status").status == 200
