"""With MEDIA_ENGINE_REDIS_URL, every serving process counts in the same Redis buckets.

Several servers share a database the way a deployment does, on PostgreSQL: a second server on
one SQLite data directory is refused (tests/test_data_dir_lock.py).
"""

import time

import httpx
import pytest

from tests.servers import EngineServer, RedisServer, engine_environment, manage, migrate

pytestmark = pytest.mark.services
NEW_KEY = {"label": "integration", "role": "Consumer"}


@pytest.fixture
def redis():
    with RedisServer() as server:
        yield server


@pytest.fixture
def engine_env(tmp_path, redis, postgres_cluster):
    """A migrated database of its own and an Administrator key, for engines sharing ``redis``."""
    env = engine_environment(tmp_path / "data", REDIS_URL=redis.url, DATABASE_URL=postgres_cluster.new_database().url())
    migrate(env)
    key = manage(env, "apikey", "create", "--label", "operations", "--role", "Administrator").stdout.strip()
    return env, key


def wait_for_a_fresh_window(server, margin=10):
    """Start counting with time to spare in the window (every per-minute policy of one address
    shares the window's edges), so the count cannot reset half-way through the test."""
    header = httpx.get(f"{server.url}/system/status").headers["RateLimit"]
    seconds_left = int(header.rsplit(";t=", 1)[1])
    if seconds_left < margin:
        time.sleep(seconds_left + 0.5)


def test_two_servers_share_five_key_generations_in_total(engine_env):
    env, key = engine_env
    with EngineServer(env) as first, EngineServer(env) as second:
        wait_for_a_fresh_window(first)
        statuses = [
            httpx.post(f"{server.url}/admin/api-keys", headers={"X-Api-Key": key}, json=NEW_KEY).status_code
            for server in (first, second, first, second, first, second)
        ]
        refused = httpx.post(f"{first.url}/admin/api-keys", headers={"X-Api-Key": key}, json=NEW_KEY)
    assert statuses == [201] * 5 + [429]
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.json()["code"] == "rate_limited"


def test_requests_are_refused_not_waved_through_when_redis_is_down(engine_env, redis):
    env, key = engine_env
    with EngineServer(env) as server:
        assert httpx.get(f"{server.url}/admin/api-keys", headers={"X-Api-Key": key}).status_code == 200
        redis.stop()
        response = httpx.get(f"{server.url}/admin/api-keys", headers={"X-Api-Key": key}, timeout=30)
    assert response.status_code == 503
    assert response.json()["code"] == "rate_limit_unavailable"
    assert int(response.headers["Retry-After"]) > 0
