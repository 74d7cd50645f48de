"""Cover art from a real ``manage.py serve`` to curl: a thumbnail that decodes at the size asked,
its ETag, and a revalidation with ``If-None-Match`` answered 304 without a body."""

import re
import subprocess

import pytest

from tests.artwork_samples import decoded, mp3_with_picture, picture
from tests.servers import EngineServer, engine_environment, manage, migrate, require_binary

pytestmark = pytest.mark.services

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")


def curl(*args):
    """``(status, headers, body)`` of one curl request; the key goes in a header, never the URL."""
    result = subprocess.run([require_binary("curl"), "-sS", "-D", "-", *args], capture_output=True, timeout=60, check=True)
    head, _, body = result.stdout.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in lines)}
    return int(status_line.split()[1]), headers, body


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    library = tmp_path_factory.mktemp("artwork-library")
    mp3_with_picture(library / "song.mp3", picture(900, 600))
    env = engine_environment(tmp_path_factory.mktemp("artwork-data"), LOCALHOST_BYPASS="false")
    migrate(env)
    admin = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "admin", "--role", "Administrator").stdout).group(0)
    consumer = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "player", "--role", "Consumer").stdout).group(0)
    with EngineServer(env) as server:
        status, _, _ = curl("-H", f"X-Api-Key: {admin}", "-H", "Content-Type: application/json",
                            "-d", f'{{"path": "{library}"}}', f"{server.url}/settings/folders")
        assert status == 201
        manage(env, "scan")
        server.consumer = consumer
        yield server


def test_curl_gets_a_thumbnail_of_the_size_asked_then_revalidates_it(engine):
    url = f"{engine.url}/library/works/1/artwork?size=150"
    status, headers, body = curl("-H", f"X-Api-Key: {engine.consumer}", url)
    assert status == 200
    assert headers["content-type"] == "image/jpeg"
    assert headers["cache-control"] == "private, max-age=86400"
    assert re.fullmatch(r'"[0-9a-f]{64}-150"', headers["etag"])
    assert decoded(body) == ("JPEG", 150, 100)

    status, again, body = curl("-H", f"X-Api-Key: {engine.consumer}", "-H", f"If-None-Match: {headers['etag']}", url)
    assert (status, body, again["etag"]) == (304, b"", headers["etag"])


def test_curl_without_a_key_gets_401_and_no_picture(engine):
    status, headers, body = curl(f"{engine.url}/library/works/1/artwork")
    assert status == 401 and headers["content-type"] == "application/json"
    assert b"not_authenticated" in body
