"""Malformed X-Forwarded-For never crashes the limiter and never picks the bucket for the attacker."""

import pytest

from security.ratelimit import GENERAL, check_rate
from security.request_facts import from_scope
from tests.conftest import EngineClient
from tests.test_rate_limits import rate_clock  # noqa: F401  (stops the window clock)

LIMIT = 5
PROXY = "10.0.0.2"
GARBAGE = [
    "unknown",
    "garbage",
    "",
    ",,,",
    "1.2.3.4.5",
    "::::",
    "[1.2.3.4",
    "1.2.3.4, unknown",
    "198.51.100.9, _hidden",
    "\x00\x01",
    "999.999.999.999",
    "a" * 8000,
    ", ".join(f"192.0.2.{n % 250}" for n in range(1000)),
    ", ".join("unknown" for _ in range(1000)),
]


@pytest.fixture(autouse=True)
def small_quota(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": f"{LIMIT}/m", "TRUSTED_PROXIES": ["10.0.0.0/8"]}


@pytest.mark.parametrize("forwarded", GARBAGE)
def test_garbage_from_an_untrusted_peer_counts_against_the_peer(remote, forwarded):
    for _ in range(LIMIT):
        response = remote.get("/system/status", headers={"X-Forwarded-For": forwarded})
        assert response.status_code == 200
    assert remote.get("/system/status").status_code == 429


@pytest.mark.parametrize("forwarded", GARBAGE)
def test_garbage_from_a_trusted_proxy_never_buys_a_fresh_bucket(db, forwarded):
    proxy = EngineClient(peer=PROXY)
    for _ in range(LIMIT):
        assert proxy.get("/system/status", headers={"X-Forwarded-For": forwarded}).status_code == 200
    # Whatever bucket the garbage landed in, it is one the header cannot move: sent again, it is spent.
    assert proxy.get("/system/status", headers={"X-Forwarded-For": forwarded}).status_code == 429


def test_rotating_garbage_through_a_trusted_proxy_shares_one_bucket(db):
    proxy = EngineClient(peer=PROXY)
    for n in range(LIMIT):
        assert proxy.get("/system/status", headers={"X-Forwarded-For": f"junk-{n}"}).status_code == 200
    assert proxy.get("/system/status", headers={"X-Forwarded-For": "other junk"}).status_code == 429


def test_garbage_through_a_trusted_proxy_does_not_spend_real_clients(db):
    proxy = EngineClient(peer=PROXY)
    for n in range(LIMIT + 1):
        proxy.get("/system/status", headers={"X-Forwarded-For": f"junk-{n}"})
    assert proxy.get("/system/status", headers={"X-Forwarded-For": "198.51.100.1"}).status_code == 200


def test_garbage_never_lands_in_the_loopback_bucket(db, local):
    proxy = EngineClient(peer=PROXY)
    for n in range(LIMIT + 1):
        proxy.get("/system/status", headers={"X-Forwarded-For": "unknown"})
    assert local.get("/system/status").status_code == 200


def test_a_thousand_hops_from_a_trusted_proxy_count_against_the_right_most_client(db):
    proxy = EngineClient(peer=PROXY)
    for n in range(LIMIT):
        left = ", ".join(f"192.0.2.{(n + i) % 250}" for i in range(1000))
        assert proxy.get("/system/status", headers={"X-Forwarded-For": f"{left}, 198.51.100.1"}).status_code == 200
    response = proxy.get("/system/status", headers={"X-Forwarded-For": "192.0.2.77, 198.51.100.1"})
    assert response.status_code == 429


def test_several_forwarded_for_headers_are_read_as_one_list(db):
    proxy = EngineClient(peer=PROXY)
    for n in range(LIMIT):
        headers = [("X-Forwarded-For", f"192.0.2.{n}"), ("X-Forwarded-For", "198.51.100.1")]
        assert proxy.get("/system/status", headers=headers).status_code == 200
    headers = [("X-Forwarded-For", "192.0.2.99"), ("X-Forwarded-For", "198.51.100.1")]
    assert proxy.get("/system/status", headers=headers).status_code == 429


def test_several_forwarded_for_headers_from_an_untrusted_peer_are_ignored(remote):
    for n in range(LIMIT):
        headers = [("X-Forwarded-For", f"192.0.2.{n}"), ("X-Forwarded-For", f"198.51.100.{n}")]
        assert remote.get("/system/status", headers=headers).status_code == 200
    assert remote.get("/system/status").status_code == 429


def websocket_scope(peer, headers=()):
    return {
        "type": "websocket",
        "path": "/hubs/intercom",
        "query_string": b"",
        "client": (peer, 50000),
        "headers": [(name.encode(), value.encode()) for name, value in headers],
    }


def test_websocket_attempts_share_the_general_bucket_with_http(remote):
    for _ in range(LIMIT - 1):
        remote.get("/system/status")
    assert check_rate(from_scope(websocket_scope(remote.peer)), GENERAL).allowed
    decision = check_rate(from_scope(websocket_scope(remote.peer)), GENERAL)
    assert not decision.allowed
    assert decision.retry_after > 0
    assert decision.headers()["Retry-After"] == str(decision.retry_after)
    assert remote.get("/system/status").status_code == 429


def test_websocket_attempts_with_spoofed_forwarded_for_share_the_peer_bucket(db):
    spoofs = [websocket_scope("198.51.100.5", [("x-forwarded-for", f"192.0.2.{n}")]) for n in range(LIMIT + 1)]
    decisions = [check_rate(from_scope(scope), GENERAL) for scope in spoofs]
    assert [d.allowed for d in decisions] == [True] * LIMIT + [False]
