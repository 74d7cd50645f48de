"""The localhost bypass: exactly the requests that truly come from this machine are Administrator."""

import pytest

from tests.conftest import EngineClient

KEYS = "/admin/api-keys"


def local_client(peer="127.0.0.1", host="localhost:8000"):
    return EngineClient(peer=peer, host=host)


def create(client, **headers):
    return client.post(KEYS, json={"label": "from a local tool", "role": "Consumer"}, headers=headers)


@pytest.fixture
def trusted_local_proxy(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "TRUSTED_PROXIES": ["127.0.0.1/32"]}


@pytest.mark.parametrize(
    "peer, host",
    [
        ("127.0.0.1", "localhost:8000"),
        ("127.0.0.1", "localhost"),
        ("127.0.0.1", "127.0.0.1:8000"),
        ("127.8.9.10", "127.0.0.1:8000"),
        ("::1", "[::1]:8000"),
        ("::ffff:127.0.0.1", "localhost:8000"),
    ],
)
def test_loopback_peer_with_loopback_host_is_administrator(db, peer, host):
    response = local_client(peer, host).get(KEYS)
    assert response.status_code == 200, response.text


def test_local_administrator_can_use_unsafe_methods_from_a_non_browser_client(db):
    response = create(local_client())
    assert response.status_code == 201
    assert response.json()["created_by"] == "localhost"


def test_remote_peer_with_loopback_host_is_not_local(db):
    response = EngineClient(peer="203.0.113.10", host="localhost:8000").get(KEYS)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("ApiKey")


def test_private_network_peer_is_not_local(db):
    assert EngineClient(peer="192.168.1.20", host="localhost:8000").get(KEYS).status_code == 401


@pytest.mark.parametrize("host", ["media.example.test", "rebind.attacker.example", "localhost.attacker.example", "localhost:80x", "127.0.0.1.nip.io"])
def test_loopback_peer_with_foreign_host_header_is_not_local(db, host):
    """A DNS-rebinding page reaches 127.0.0.1 under its own name."""
    response = local_client().get(KEYS, headers={"Host": host})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "header, value",
    [
        ("X-Forwarded-For", "127.0.0.1"),
        ("X-Forwarded-For", "198.51.100.7"),
        ("Forwarded", "for=127.0.0.1"),
        ("X-Real-IP", "127.0.0.1"),
    ],
)
def test_forwarded_header_from_loopback_peer_is_not_local(db, header, value):
    """A reverse proxy on this host must not turn every internet caller into an Administrator."""
    response = local_client().get(KEYS, headers={header: value})
    assert response.status_code == 401


def test_trusted_local_proxy_forwarding_a_remote_client_is_not_local(db, trusted_local_proxy):
    response = local_client().get(KEYS, headers={"X-Forwarded-For": "198.51.100.7"})
    assert response.status_code == 401


def test_trusted_local_proxy_forwarding_a_loopback_client_is_local(db, trusted_local_proxy):
    response = local_client().get(KEYS, headers={"X-Forwarded-For": "127.0.0.1"})
    assert response.status_code == 200


def test_trusted_local_proxy_hiding_the_client_is_not_local(db, trusted_local_proxy):
    assert local_client().get(KEYS).status_code == 401


def test_spoofed_loopback_hop_left_of_the_real_client_is_ignored(db, trusted_local_proxy):
    response = local_client().get(KEYS, headers={"X-Forwarded-For": "127.0.0.1, 198.51.100.7"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:3000"},
        {"Origin": "https://localhost:8000"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_browser_request_cannot_borrow_the_bypass(db, headers):
    response = create(local_client(), **headers)
    assert response.status_code == 401
    from security.models import ApiKey

    assert not ApiKey.objects.exists()


def test_same_origin_browser_request_keeps_the_bypass(db):
    response = create(local_client(), Origin="http://localhost:8000", **{"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201


def test_configured_allowed_origin_keeps_the_bypass(db, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOWED_ORIGINS": ["http://localhost:5173"]}
    assert create(local_client(), Origin="http://localhost:5173").status_code == 201


CROSS_SITE = [
    {"Origin": "https://attacker.example"},
    {"Origin": "null"},
    {"Origin": "http://localhost:3000"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
]


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_cross_site_safe_request_gets_no_bypass(db, headers, method):
    """A page elsewhere cannot read a cross-site answer, but it can play it: ``<video
    src="http://127.0.0.1:8000/stream/9">`` needs no script and no CORS."""
    response = local_client().request(method, "/stream/9", headers=headers)
    assert response.status_code == 401
    assert local_client().request(method, KEYS, headers=headers).status_code == 401


@pytest.mark.parametrize("fetch_site", ["same-origin", "none"])
def test_a_page_of_the_engine_or_a_typed_address_keeps_the_bypass(db, fetch_site):
    assert local_client().get(KEYS, headers={"Sec-Fetch-Site": fetch_site}).status_code == 200


@pytest.mark.parametrize("via", ["1.1 tinyproxy (tinyproxy/1.11.1)", "1.1 squid", "HTTP/1.1 proxy.example"])
def test_a_loopback_request_that_came_through_a_proxy_is_not_local(db, via):
    """tinyproxy, squid and others say so in ``Via`` and add no ``X-Forwarded-For``."""
    assert local_client().get(KEYS, headers={"Via": via}).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=198.51.100.7"},
        {"X-Forwarded-For": "127.0.0.1", "Forwarded": 'for="[2001:db8::7]:4711";proto=https'},
        {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1, for=198.51.100.7"},
        {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=unknown"},
        {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "198.51.100.7"},
        {"X-Forwarded-For": "127.0.0.1", "X-Real-IP": "not-an-address"},
    ],
)
def test_a_trusted_proxy_whose_headers_disagree_is_not_local(db, trusted_local_proxy, headers):
    assert local_client().get(KEYS, headers=headers).status_code == 401


def test_a_trusted_proxy_whose_headers_agree_on_loopback_is_local(db, trusted_local_proxy):
    headers = {"X-Forwarded-For": "127.0.0.1", "Forwarded": "for=127.0.0.1;proto=http", "X-Real-IP": "127.0.0.1", "Via": "1.1 nginx"}
    assert local_client().get(KEYS, headers=headers).status_code == 200


def test_bypass_can_be_turned_off(db, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "LOCALHOST_BYPASS": False}
    response = local_client().get(KEYS)
    assert response.status_code == 401


@pytest.mark.parametrize("key", ["", "   ", "not-a-key", "mek_0123456789ab_" + "A" * 49])
def test_bad_key_from_localhost_is_refused_not_bypassed(db, key):
    response = local_client().get(KEYS, key=key)
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_valid_key_from_localhost_is_judged_by_its_role(db, make_key):
    _, plaintext = make_key("Consumer")
    assert local_client().get(KEYS, key=plaintext).status_code == 403


def test_https_origin_behind_a_trusted_tls_proxy_counts_as_same_origin(db, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "TRUSTED_PROXIES": ["127.0.0.1/32"]}
    headers = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "https", "Origin": "https://localhost:8000"}
    assert create(local_client(), **headers).status_code == 201


def test_forwarded_proto_from_an_untrusted_peer_is_ignored(db):
    headers = {"X-Forwarded-Proto": "https", "Origin": "https://localhost:8000"}
    assert create(local_client(), **headers).status_code == 401
