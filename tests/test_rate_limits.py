"""The three quotas: key generation 5/min, streaming 100/min, general 60/min, per client address."""

import types

import pytest

from tests.conftest import EngineClient

KEYGEN, STREAM, GENERAL = 5, 100, 60
NEW_KEY = {"label": "integration", "role": "Consumer"}


class RateClock:
    """The wall clock the fixed windows are cut from, stopped so a test never straddles two
    windows and can step to the moment ``Retry-After`` promised."""

    def __init__(self, now):
        self.now = now

    def time(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


@pytest.fixture(autouse=True)
def rate_clock(monkeypatch):
    import django_ratelimit.core

    clock = RateClock(1_800_000_000.0)
    monkeypatch.setattr(django_ratelimit.core, "time", types.SimpleNamespace(time=clock.time))
    return clock


@pytest.fixture(autouse=True)
def real_rates(settings):
    """The shipped defaults (the rest of the suite runs with generous ones)."""
    settings.MEDIA_ENGINE = {
        **settings.MEDIA_ENGINE,
        "RATE_KEYGEN": f"{KEYGEN}/m",
        "RATE_STREAM": f"{STREAM}/m",
        "RATE_GENERAL": f"{GENERAL}/m",
        "TRUSTED_PROXIES": ["10.0.0.0/8"],
    }


@pytest.fixture
def admin_key(make_key):
    return make_key("Administrator")[1]


def spend(client, method, path, times, **kwargs):
    """Send ``times`` requests; every one must be answered without a 429."""
    statuses = [client.request(method, path, **kwargs).status_code for _ in range(times)]
    assert 429 not in statuses, statuses
    return statuses


def assert_limited(response, policy):
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["code"] == "rate_limited"
    assert response.json()["detail"]
    assert response.headers["RateLimit-Policy"].startswith(f'"{policy}";q=')
    assert ";r=0;" in response.headers["RateLimit"]


def test_key_generation_allows_five_then_answers_429_with_retry_after(remote, admin_key):
    statuses = spend(remote, "POST", "/admin/api-keys", KEYGEN, key=admin_key, json=NEW_KEY)
    assert statuses == [201] * KEYGEN
    assert_limited(remote.post("/admin/api-keys", key=admin_key, json=NEW_KEY), "keygen")


def test_refused_key_generation_creates_no_key(remote, admin_key):
    from security.models import ApiKey

    spend(remote, "POST", "/admin/api-keys", KEYGEN, key=admin_key, json=NEW_KEY)
    before = ApiKey.objects.count()
    remote.post("/admin/api-keys", key=admin_key, json=NEW_KEY)
    assert ApiKey.objects.count() == before


def test_streaming_allows_one_hundred_then_answers_429(remote, make_key):
    consumer = make_key("Consumer")[1]
    spend(remote, "GET", "/stream/1", STREAM, key=consumer)
    assert_limited(remote.get("/stream/1", key=consumer), "stream")


def test_streaming_routes_share_one_bucket(remote, make_key):
    consumer = make_key("Consumer")[1]
    spend(remote, "GET", "/stream/1", STREAM // 2, key=consumer)
    spend(remote, "HEAD", "/stream/2", STREAM // 2, key=consumer)
    assert remote.get("/stream/3/link", key=consumer).status_code == 429


def test_general_allows_sixty_then_answers_429(remote, admin_key):
    assert spend(remote, "GET", "/admin/api-keys", GENERAL, key=admin_key) == [200] * GENERAL
    assert_limited(remote.get("/admin/api-keys", key=admin_key), "general")


def assert_no_such_asset(response):
    """Streaming was not limited: the request reached the view, which knows no asset 1."""
    assert response.status_code == 404, response.text
    assert response.json()["code"] == "not_found"


def test_general_is_shared_by_every_other_route(remote, admin_key):
    spend(remote, "GET", "/admin/api-keys", 20, key=admin_key)
    spend(remote, "GET", "/admin/audit", 20, key=admin_key)
    spend(remote, "POST", "/hubs/intercom/negotiate", 10, key=admin_key)
    spend(remote, "GET", "/system/status", 10)
    assert remote.get("/library/works", key=admin_key).status_code == 429


def test_health_probe_counts_under_general(remote):
    spend(remote, "GET", "/system/status", GENERAL)
    assert_limited(remote.get("/system/status"), "general")


def test_listing_keys_is_general_not_key_generation(remote, admin_key):
    spend(remote, "GET", "/admin/api-keys", KEYGEN + 5, key=admin_key)
    assert remote.post("/admin/api-keys", key=admin_key, json=NEW_KEY).status_code == 201


def test_spent_key_generation_leaves_other_policies_open(remote, admin_key, make_key):
    spend(remote, "POST", "/admin/api-keys", KEYGEN, key=admin_key, json=NEW_KEY)
    assert remote.post("/admin/api-keys", key=admin_key, json=NEW_KEY).status_code == 429
    assert remote.get("/admin/api-keys", key=admin_key).status_code == 200
    assert_no_such_asset(remote.get("/stream/1", key=make_key("Consumer")[1]))


def test_spent_general_leaves_streaming_and_key_generation_open(remote, admin_key):
    spend(remote, "GET", "/admin/api-keys", GENERAL, key=admin_key)
    assert remote.get("/admin/api-keys", key=admin_key).status_code == 429
    assert remote.post("/admin/api-keys", key=admin_key, json=NEW_KEY).status_code == 201
    assert_no_such_asset(remote.get("/stream/1", key=admin_key))


def test_spent_streaming_leaves_general_open(remote, admin_key):
    spend(remote, "GET", "/stream/1", STREAM, key=admin_key)
    assert remote.get("/stream/1", key=admin_key).status_code == 429
    assert remote.get("/admin/api-keys", key=admin_key).status_code == 200


def test_another_client_address_has_its_own_bucket(admin_key):
    first, second = EngineClient(peer="198.51.100.1"), EngineClient(peer="198.51.100.2")
    spend(first, "GET", "/admin/api-keys", GENERAL, key=admin_key)
    assert first.get("/admin/api-keys", key=admin_key).status_code == 429
    assert second.get("/admin/api-keys", key=admin_key).status_code == 200


def test_ipv6_clients_share_a_bucket_per_slash_64(admin_key):
    spend(EngineClient(peer="2001:db8:1:2::1"), "GET", "/admin/api-keys", GENERAL, key=admin_key)
    same_network = EngineClient(peer="2001:db8:1:2:ffff:ffff:ffff:fffe")
    other_network = EngineClient(peer="2001:db8:1:3::1")
    assert same_network.get("/admin/api-keys", key=admin_key).status_code == 429
    assert other_network.get("/admin/api-keys", key=admin_key).status_code == 200


def test_spoofed_forwarded_for_from_untrusted_peer_does_not_change_the_bucket(remote, admin_key):
    spend(remote, "GET", "/admin/api-keys", GENERAL, key=admin_key)
    for spoofed in ("192.0.2.1", "192.0.2.2", "127.0.0.1", "10.1.2.3"):
        response = remote.get("/admin/api-keys", key=admin_key, headers={"X-Forwarded-For": spoofed})
        assert response.status_code == 429


def test_forwarded_for_from_untrusted_peer_does_not_spend_the_named_address(admin_key):
    attacker = EngineClient(peer="198.51.100.66")
    spend(attacker, "GET", "/admin/api-keys", GENERAL, key=admin_key, headers={"X-Forwarded-For": "198.51.100.7"})
    assert EngineClient(peer="198.51.100.7").get("/admin/api-keys", key=admin_key).status_code == 200


def test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket(admin_key):
    proxy = EngineClient(peer="10.0.0.2")
    spend(proxy, "GET", "/admin/api-keys", GENERAL, key=admin_key, headers={"X-Forwarded-For": "198.51.100.1"})
    limited = proxy.get("/admin/api-keys", key=admin_key, headers={"X-Forwarded-For": "198.51.100.1"})
    assert limited.status_code == 429
    other = proxy.get("/admin/api-keys", key=admin_key, headers={"X-Forwarded-For": "198.51.100.2"})
    assert other.status_code == 200


def test_behind_a_trusted_proxy_hops_written_by_the_client_buy_no_fresh_bucket(admin_key):
    proxy = EngineClient(peer="10.0.0.2")
    for n in range(GENERAL):
        # The proxy appends the address it saw; whatever the client wrote sits to its left.
        forwarded = f"192.0.2.{n}, 198.51.100.1"
        assert proxy.get("/admin/api-keys", key=admin_key, headers={"X-Forwarded-For": forwarded}).status_code == 200
    forwarded = "192.0.2.250, 198.51.100.1"
    assert proxy.get("/admin/api-keys", key=admin_key, headers={"X-Forwarded-For": forwarded}).status_code == 429


def test_unauthenticated_requests_count_against_general(remote, admin_key):
    statuses = spend(remote, "GET", "/admin/api-keys", GENERAL)
    assert set(statuses) == {401}
    assert_limited(remote.get("/admin/api-keys"), "general")
    assert remote.get("/admin/api-keys", key=admin_key).status_code == 429


def test_bad_keys_count_against_general(remote, admin_key):
    statuses = spend(remote, "GET", "/library/works", GENERAL, key="mek_000000000000_" + "x" * 49)
    assert set(statuses) == {401}
    assert_limited(remote.get("/library/works", key="not-a-key"), "general")
    assert remote.get("/admin/api-keys", key=admin_key).status_code == 429


def test_unknown_paths_count_against_general(remote):
    spend(remote, "GET", "/no/such/path", GENERAL)
    assert remote.get("/system/status").status_code == 429


def test_localhost_is_limited_like_any_address(local):
    spend(local, "GET", "/admin/api-keys", GENERAL)
    assert local.get("/admin/api-keys").status_code == 429


def test_django_admin_and_static_files_are_outside_the_api_quotas(remote):
    spend(remote, "GET", "/system/status", GENERAL)
    assert remote.get("/django-admin/login/").status_code == 200
    assert remote.get("/static/admin/css/base.css").status_code == 200


def test_allowed_responses_announce_the_quota(remote, admin_key):
    response = remote.get("/admin/api-keys", key=admin_key)
    assert response.headers["RateLimit-Policy"] == f'"general";q={GENERAL};w=60'
    remaining = dict(part.split("=") for part in response.headers["RateLimit"].split(";")[1:])
    assert int(remaining["r"]) == GENERAL - 1
    assert 0 <= int(remaining["t"]) <= 60
    assert "Retry-After" not in response.headers


def test_rates_are_read_from_settings_when_the_request_arrives(remote, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "3/m"}
    spend(remote, "GET", "/system/status", 3)
    response = remote.get("/system/status")
    assert response.status_code == 429
    assert response.headers["RateLimit-Policy"] == '"general";q=3;w=60'


def test_a_longer_window_is_honoured_in_retry_after(remote, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "1/h"}
    remote.get("/system/status")
    response = remote.get("/system/status")
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 3600
    assert response.json()["retry_after"] == int(response.headers["Retry-After"])


def test_the_window_frees_when_retry_after_has_passed(remote, rate_clock):
    spend(remote, "GET", "/system/status", GENERAL)
    retry_after = int(remote.get("/system/status").headers["Retry-After"])
    rate_clock.advance(retry_after - 1)
    assert remote.get("/system/status").status_code == 429
    rate_clock.advance(1)
    assert remote.get("/system/status").status_code == 200
