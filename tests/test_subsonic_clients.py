"""Real OpenSubsonic clients against a real engine: py-opensonic, py-sonic and the npm subsonic-api.

The engine is a ``manage.py serve`` process (uvicorn) with the localhost bypass off, over a
scanned library of real tagged MP3 files. py-opensonic sends ``apiKey`` in form POSTs (the
``formPost`` extension), py-sonic the legacy ``u`` + ``p`` (hex-encoded), subsonic-api ``apiKey``
in GET query strings and in POSTs; none of them was written for this engine.
"""

import asyncio
import json
import os
import re
import subprocess
import time
from pathlib import Path

import httpx
import libopensonic
import libsonic
import pytest
from libopensonic import errors as opensonic_errors

from tests.servers import EngineServer, engine_environment, manage
from tests.signalr_clients import JS_DIR, NODE_DIR, node  # noqa: F401
from tests.subsonic.library import validate_xml, write_library

pytestmark = pytest.mark.services

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")


def create_key(env, role, label):
    created = manage(env, "apikey", "create", "--label", label, "--role", role)
    return KEY_PATTERN.search(created.stdout).group(0)


def admin_request(engine, method, path, **kwargs):
    response = httpx.request(method, f"{engine.url}{path}", headers={"X-Api-Key": engine.admin_key}, timeout=30, **kwargs)
    assert response.status_code < 300, (path, response.status_code, response.text)
    return response.json() if response.content else None


def scan_and_wait(engine, folder):
    created = admin_request(engine, "POST", "/settings/folders", json={"path": str(folder), "media_kind": "music"})
    job = admin_request(engine, "POST", "/ingestion/scan", json={"folder_id": created["id"]})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = admin_request(engine, "GET", f"/ingestion/jobs/{job['id']}")["state"]
        if state in ("completed", "failed"):
            assert state == "completed"
            return created
        time.sleep(0.2)
    raise AssertionError("the scan did not finish")


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("subsonic-engine")
    env = engine_environment(data_dir, LOCALHOST_BYPASS="false", RATE_GENERAL="100000/m", RATE_STREAM="100000/m")
    manage(env, "migrate", "--no-input")
    server = EngineServer(env)
    server.env = env
    server.admin_key = create_key(env, "Administrator", "Owner's laptop")
    server.consumer_key = create_key(env, "Consumer", "Phone")
    server.library = write_library(tmp_path_factory.mktemp("subsonic-music"))
    with server:
        scan_and_wait(server, server.library)
        yield server


def file_bytes(engine, relative):
    return (engine.library / relative).read_bytes()


def revoke(engine, key):
    listed = admin_request(engine, "GET", "/admin/api-keys?page_size=500")["results"]
    key_id = next(row["id"] for row in listed if key.startswith(row["prefix"]))
    admin_request(engine, "DELETE", f"/admin/api-keys/{key_id}")


# py-opensonic: apiKey, form POSTs


@pytest.fixture
def opensonic(engine):
    connection = libopensonic.Connection("http://127.0.0.1", api_key=engine.consumer_key, port=engine.port)
    yield connection
    connection.cleanup()


def read_body(connection, response):
    return asyncio.run_coroutine_threadsafe(response.read(), connection._loop).result()


def test_py_opensonic_pings_and_browses_artists_to_album_to_songs(engine, opensonic):
    assert opensonic.ping() is True
    artists = opensonic.get_artists()
    beatles = next(artist for index in artists.index for artist in index.artist if artist.name == "The Beatles")
    artist = opensonic.get_artist(beatles.id)
    assert [album.name for album in artist.album] == ["Abbey Road"]
    album = opensonic.get_album(artist.album[0].id)
    assert [song.title for song in album.song] == ["Come Together", "Something", "Here Comes the Sun"]
    assert [song.disc_number for song in album.song] == [1, 1, 2]


def test_py_opensonic_streams_a_range_and_searches(engine, opensonic):
    song = opensonic.search3("come together", artist_count=0, album_count=0).song[0]
    expected = file_bytes(engine, "beatles/abbey-road/1-01.mp3")
    response = opensonic.stream(song.id, byte_range="bytes=100-199")
    assert response.status == 206
    assert read_body(opensonic, response) == expected[100:200]
    assert response.headers["Content-Range"] == f"bytes 100-199/{len(expected)}"


def test_py_opensonic_sees_a_revoked_key_fail_on_the_next_call(engine):
    key = create_key(engine.env, "Consumer", "Tablet")
    connection = libopensonic.Connection("http://127.0.0.1", api_key=key, port=engine.port)
    try:
        assert connection.ping() is True
        revoke(engine, key)
        with pytest.raises(opensonic_errors.SonicError, match="Invalid API key"):
            connection.ping()
    finally:
        connection.cleanup()


def test_py_opensonic_consumer_may_not_start_a_scan(opensonic):
    with pytest.raises(opensonic_errors.AuthError):
        opensonic.start_scan()


# py-sonic: the legacy u + p, where the password is the key


def pysonic(engine, **options):
    return libsonic.Connection("http://127.0.0.1", "phone", engine.consumer_key, port=engine.port, legacyAuth=True, **options)


def test_py_sonic_pings_browses_and_searches_with_the_key_as_password(engine):
    connection = pysonic(engine)
    assert connection.ping() is True
    index = connection.getArtists()["artists"]["index"]
    various = next(artist for entry in index for artist in entry["artist"] if artist["name"] == "Various Artists")
    album = connection.getArtist(various["id"])["artist"]["album"][0]
    songs = connection.getAlbum(album["id"])["album"]["song"]
    assert [song["title"] for song in songs] == ["Crazy in Love", "Hey Ya!"]
    found = connection.search3("outkast")["searchResult3"]
    assert [song["title"] for song in found["song"]] == ["Hey Ya!"]


def test_py_sonic_streams_a_range(engine):
    song = pysonic(engine).search3("naughty")["searchResult3"]["song"][0]
    response = pysonic(engine, customHeaders={"Range": "bytes=0-9"}).stream(song["id"])
    assert response.status == 206
    assert response.read() == file_bytes(engine, "beyonce/dangerously/02.mp3")[:10]


def test_py_sonic_token_authentication_is_refused_with_41(engine):
    connection = libsonic.Connection("http://127.0.0.1", "phone", engine.consumer_key, port=engine.port)
    with pytest.raises(Exception, match="Token authentication is not supported"):
        connection.ping()


def test_py_sonic_consumer_may_not_start_a_scan(engine):
    with pytest.raises(libsonic.errors.AuthError):
        pysonic(engine).startScan()


# subsonic-api under Node: apiKey in GET query strings and in form POSTs


class NodeClient:
    def __init__(self, node, engine, key, post=False):
        options = {"url": engine.url, "apiKey": key, "post": post, "modules": str(NODE_DIR / "node_modules")}
        self.process = subprocess.Popen(
            [node, str(JS_DIR / "subsonic_client.mjs"), json.dumps(options)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def __call__(self, method, headers=None, **args):
        self.process.stdin.write(json.dumps({"method": method, "args": args, "headers": headers or {}}) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise AssertionError(f"subsonic-api client ended: {self.process.stderr.read()[-2000:]}")
        return json.loads(line)

    def close(self):
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


@pytest.fixture(params=[False, True], ids=["get", "post"])
def subsonic_api(request, node, engine):
    client = NodeClient(node, engine, engine.consumer_key, post=request.param)
    yield client
    client.close()


def test_subsonic_api_pings_browses_streams_and_searches(engine, subsonic_api):
    ping = subsonic_api("ping")
    assert (ping["status"], ping["openSubsonic"], ping["type"]) == ("ok", True, "media-engine")
    index = subsonic_api("getArtists")["artists"]["index"]
    beyonce = next(artist for entry in index for artist in entry["artist"] if artist["name"] == "Beyoncé")
    album = subsonic_api("getArtist", id=beyonce["id"])["artist"]["album"][0]
    songs = subsonic_api("getAlbum", id=album["id"])["album"]["song"]
    assert [song["title"] for song in songs] == ["Dangerously in Love", "Naughty Girl"]
    streamed = subsonic_api("stream", headers={"Range": "bytes=4-11"}, id=songs[0]["id"])
    assert streamed["status"] == 206
    import base64

    assert base64.b64decode(streamed["base64"]) == file_bytes(engine, "beyonce/dangerously/01.mp3")[4:12]
    found = subsonic_api("search3", query="hey ya")["searchResult3"]
    assert [song["title"] for song in found["song"]] == ["Hey Ya!"]


def test_subsonic_api_consumer_start_scan_is_error_50(subsonic_api):
    answer = subsonic_api("startScan")
    assert answer["status"] == "failed" and answer["error"]["code"] == 50


def test_subsonic_api_sees_a_revoked_key_fail_on_the_next_call(node, engine):
    key = create_key(engine.env, "Curator", "Laptop")
    client = NodeClient(node, engine, key)
    try:
        assert client("ping")["status"] == "ok"
        revoke(engine, key)
        assert client("ping")["error"]["code"] == 44
    finally:
        client.close()


# What no client library shows: the XML answers and the access log


def test_xml_answers_of_the_real_server_validate(engine):
    for method, params in (("getArtists", {}), ("getAlbumList2", {"type": "newest", "size": 500}), ("search3", {"query": ""})):
        response = httpx.get(f"{engine.url}/rest/{method}.view", params={"apiKey": engine.consumer_key, **params}, timeout=30)
        assert response.headers["content-type"] == "text/xml; charset=utf-8"
        validate_xml(response.content)


def test_no_key_reaches_the_server_log(engine):
    hexed = engine.consumer_key.encode().hex()
    httpx.get(f"{engine.url}/rest/ping.view", params={"u": "phone", "p": f"enc:{hexed}", "c": "curl"}, timeout=30)
    httpx.get(f"{engine.url}/rest/ping.view", params={"apiKey": engine.consumer_key, "c": "curl"}, timeout=30)
    log = Path(engine.log_path).read_text(errors="replace")
    assert "GET /rest/ping.view?u=phone&p=[redacted]&c=curl" in log
    for secret in (engine.consumer_key[len("mek_") + 13:], hexed, hexed.upper()):
        assert secret not in log
