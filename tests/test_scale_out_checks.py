"""The engine refuses to start with a mix of processes whose guarantees would not hold, and says
which setting to change."""

import httpx
import pytest

from tests.servers import EngineServer, RedisServer, engine_environment, manage, migrate


def test_several_workers_with_an_in_memory_channel_layer_refuse_to_serve(tmp_path):
    result = manage(engine_environment(tmp_path, WORKERS=2), "serve", "--port", "9", check=False)
    assert result.returncode != 0
    assert "engine.E001" in result.stderr
    assert "MEDIA_ENGINE_REDIS_URL" in result.stderr


def test_external_task_workers_with_an_in_memory_channel_layer_refuse_to_serve(tmp_path):
    env = engine_environment(tmp_path, TASK_WORKER="external")
    result = manage(env, "serve", "--port", "9", check=False)
    assert result.returncode != 0
    assert "engine.E002" in result.stderr
    assert "MEDIA_ENGINE_REDIS_URL" in result.stderr
    assert manage(env, "db_worker", "--batch", check=False).returncode != 0


def test_an_unknown_task_worker_mode_stops_start_up(tmp_path):
    result = manage(engine_environment(tmp_path, TASK_WORKER="elsewhere"), "check", check=False)
    assert result.returncode != 0
    assert "MEDIA_ENGINE_TASK_WORKER" in result.stderr


def test_embedded_defaults_pass_the_scale_out_checks(tmp_path):
    result = manage(engine_environment(tmp_path), "check", check=False)
    assert result.returncode == 0, result.stderr
    assert "engine." not in result.stderr


@pytest.mark.services
def test_several_processes_with_redis_pass_the_checks(tmp_path):
    with RedisServer() as redis:
        env = engine_environment(tmp_path, WORKERS=2, TASK_WORKER="external", REDIS_URL=redis.url)
        result = manage(env, "check", check=False)
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def postgres(postgres_cluster):
    return postgres_cluster.new_database()


@pytest.mark.services
def test_a_second_server_on_postgresql_without_redis_refuses_to_start(tmp_path, postgres):
    env = engine_environment(tmp_path / "a", DATABASE_URL=postgres.url())
    migrate(env)
    assert "engine.W001" in manage(env, "check").stderr
    with EngineServer(env) as first:
        second = manage(engine_environment(tmp_path / "b", DATABASE_URL=postgres.url()), "serve", "--port", "9", check=False)
        assert httpx.get(f"{first.url}/system/status").status_code == 200
    assert second.returncode != 0
    assert "Another engine process already serves this PostgreSQL database" in second.stderr
    assert "MEDIA_ENGINE_REDIS_URL" in second.stderr


@pytest.mark.services
def test_the_sole_server_lock_goes_with_the_process_that_held_it(tmp_path, postgres):
    env = engine_environment(tmp_path, DATABASE_URL=postgres.url())
    migrate(env)
    with EngineServer(env):
        pass
    with EngineServer(env) as successor:
        assert httpx.get(f"{successor.url}/system/status").status_code == 200
