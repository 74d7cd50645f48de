"""MusicBrainz's one request a second holds for the whole deployment: look-ups may run in several
processes (``db_worker --queue-name lookups``, which need Redis), and together they still ask at
most once a second. Real processes sharing a real Redis; a local stand-in for MusicBrainz."""

import subprocess
import sys

import pytest

from tests.provider_fakes import Reply, fake_provider  # noqa: F401
from tests.servers import ROOT, RedisServer, engine_environment, manage

pytestmark = pytest.mark.services
ASK_THRICE = (
    "from django.conf import settings\n"
    "from library.providers.musicbrainz import MusicBrainzClient\n"
    "with MusicBrainzClient(settings.MEDIA_ENGINE['MUSICBRAINZ_URL'], retries=0) as client:\n"
    "    for _ in range(3):\n"
    "        client.probe()\n"
)


def test_lookup_processes_sharing_redis_ask_musicbrainz_at_most_once_a_second(tmp_path, fake_provider):
    fake_provider.route("/ws/2/recording", Reply(200, {"recordings": []}))
    with RedisServer() as redis:
        env = engine_environment(tmp_path / "data", REDIS_URL=redis.url, MUSICBRAINZ_URL=fake_provider.url + "/ws/2")
        manage(env, "migrate", "--no-input")
        processes = [
            subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "shell", "-c", ASK_THRICE], env=env, cwd=ROOT)
            for _ in range(2)
        ]
        assert [process.wait(timeout=120) for process in processes] == [0, 0]
    times = sorted(request["at"] for request in fake_provider.asked("/ws/2/recording"))
    assert len(times) == 6
    assert all(later - earlier >= 0.95 for earlier, later in zip(times, times[1:])), times
