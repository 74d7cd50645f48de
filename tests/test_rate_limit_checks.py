"""The engine refuses to start when its rate limits could not hold."""

import pytest

from tests.servers import RedisServer, engine_environment, manage


def test_single_process_with_local_memory_starts_without_complaint(tmp_path):
    result = manage(engine_environment(tmp_path), "check", check=False)
    assert result.returncode == 0, result.stderr
    assert "ratelimit" not in result.stderr


def test_several_workers_with_a_per_process_cache_refuse_to_start(tmp_path):
    result = manage(engine_environment(tmp_path, WORKERS=4), "serve", "--port", "9", check=False)
    assert result.returncode != 0
    assert "security.E101" in result.stderr
    assert "MEDIA_ENGINE_REDIS_URL" in result.stderr


@pytest.mark.services
def test_several_workers_with_redis_pass_the_checks(tmp_path):
    with RedisServer() as redis:
        result = manage(engine_environment(tmp_path, WORKERS=4, REDIS_URL=redis.url), "check", check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("rate", ["lots", "60", "60/minute", "-1/m", "5/0m"])
def test_a_rate_that_does_not_parse_stops_start_up(tmp_path, rate):
    result = manage(engine_environment(tmp_path, RATE_GENERAL=rate), "check", check=False)
    assert result.returncode != 0
    assert "MEDIA_ENGINE_RATE_GENERAL" in result.stderr
