"""One engine per data directory: a second ``manage.py serve`` on the same SQLite data dir is refused.

It used to start silently on another port, with rate-limit counts and a hub of its own (so a
client got every quota twice and saw half the events), and its task worker re-queued the first
one's running scans as interrupted. ``serve`` now holds an exclusive lock on a file in the data
directory for its whole life; the second is refused with a message naming the first one's pid.
"""

import subprocess
import sys

import pytest

from tests.servers import ROOT, EngineServer, engine_environment, free_port, manage

pytestmark = pytest.mark.services


def serve(env):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "serve", "--host", "127.0.0.1", "--port", str(free_port())],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60,
    )


def test_a_second_server_on_the_same_data_dir_is_refused_naming_the_first(tmp_path):
    env = engine_environment(tmp_path / "data")
    manage(env, "migrate", "--no-input")
    with EngineServer(env) as first:
        second = serve(env)
        assert second.returncode != 0
        assert f"pid {first.process.pid}" in second.stderr, second.stderr
        assert str(tmp_path / "data") in second.stderr
        assert "MEDIA_ENGINE_DATA_DIR" in second.stderr


def test_the_data_dir_is_free_again_once_the_first_server_stops(tmp_path):
    env = engine_environment(tmp_path / "data")
    manage(env, "migrate", "--no-input")
    with EngineServer(env):
        pass
    with EngineServer(env) as again:
        assert again.process.poll() is None


def test_servers_on_different_data_dirs_run_side_by_side(tmp_path):
    one, two = engine_environment(tmp_path / "one"), engine_environment(tmp_path / "two")
    manage(one, "migrate", "--no-input")
    manage(two, "migrate", "--no-input")
    with EngineServer(one), EngineServer(two) as second:
        assert second.process.poll() is None
