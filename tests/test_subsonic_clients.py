"""Real OpenSubsonic clients against a real engine: py-opensonic, py-sonic and the npm subsonic-api.

The engine is a ``manage.py serve`` process (uvicorn) with the localhost bypass off, over a
scanned library of real tagged MP3 files. py-opensonic sends ``apiKey`` in form POSTs (the
``formPost`` extension), py-sonic the legacy ``u`` + ``p`` (hex-encoded), subsonic-api ``apiKey``
in GET query strings and in POSTs; none of them was written for this engine.
"""

import asyncio
import base64
import json
import re
import subprocess
import time
from pathlib import Path

import httpx
import libopensonic
import libsonic
import pytest
from libopensonic import errors as opensonic_errors

from tests.artwork_samples import decoded
from tests.servers import EngineServer, engine_environment, manage, migrate
from tests.signalr_clients import JS_DIR, NODE_DIR, node  # noqa: F401
from tests.subsonic.library import validate_xml, write_library

pytestmark = pytest.mark.services

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")


def create_key(env, role, label, profile=None):
    created = manage(env, "apikey", "create", "--label", label, "--role", role, *(("--profile", profile) if profile else ()))
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
    migrate(env)
    server = EngineServer(env)
    server.env = env
    server.admin_key = create_key(env, "Administrator", "Owner's laptop")
    server.consumer_key = create_key(env, "Consumer", "Phone")
    server.library = write_library(tmp_path_factory.mktemp("subsonic-music"))
    with server:
        scan_and_wait(server, server.library)
        for name in ("Ada", "Bob"):
            admin_request(server, "POST", "/profiles", json={"display_name": name, "role": "Consumer"})
        server.ada_phone = create_key(env, "Consumer", "Ada's phone", profile="Ada")
        server.ada_tablet = create_key(env, "Consumer", "Ada's tablet", profile="Ada")
        server.bob_phone = create_key(env, "Consumer", "Bob's phone", profile="Bob")
        yield server


def file_bytes(engine, relative):
    return (engine.library / relative).read_bytes()


def revoke(engine, key):
    listed = admin_request(engine, "GET", "/admin/api-keys?page_size=500")["results"]
    key_id = next(row["id"] for row in listed if key.startswith(row["prefix"]))
    admin_request(engine, "DELETE", f"/admin/api-keys/{key_id}")


# py-opensonic: apiKey, form POSTs


def abbey_road(connection):
    artist = next(a for index in connection.get_artists().index for a in index.artist if a.name == "The Beatles")
    return connection.get_album(connection.get_artist(artist.id).album[0].id)


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


def test_py_opensonic_cover_art_decodes_at_the_size_asked(opensonic):
    album = abbey_road(opensonic)
    response = opensonic.get_cover_art(album.cover_art, size=150)
    assert response.headers["Content-Type"] == "image/jpeg"
    assert decoded(read_body(opensonic, response)) == ("JPEG", 150, 100)


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


def opensonic_for(engine, key):
    return libopensonic.Connection("http://127.0.0.1", api_key=key, port=engine.port)


@pytest.fixture
def ada_and_bob(engine):
    connections = [opensonic_for(engine, key) for key in (engine.ada_phone, engine.ada_tablet, engine.bob_phone)]
    yield connections
    for connection in connections:
        connection.cleanup()


def test_py_opensonic_stars_unstars_and_lists_starred(ada_and_bob):
    phone, tablet, bob = ada_and_bob
    album = abbey_road(phone)
    phone.star(sids=[album.song[0].id], album_ids=[album.id], artist_ids=[album.artist_id])
    starred = tablet.get_starred2()
    assert ([s.id for s in starred.song], [a.id for a in starred.album], [a.id for a in starred.artist]) == (
        [album.song[0].id], [album.id], [album.artist_id])
    assert not (bob.get_starred2().song or [])
    tablet.unstar(sids=[album.song[0].id], album_ids=[album.id], artist_ids=[album.artist_id])
    assert not (phone.get_starred2().album or [])


def test_py_opensonic_playlist_round_trip(ada_and_bob):
    phone, tablet, bob = ada_and_bob
    songs = [song.id for song in abbey_road(phone).song]
    phone.create_playlist(name="Sunday", song_ids=songs[:2])
    playlist = next(p for p in tablet.get_playlists() if p.name == "Sunday")
    tablet.update_playlist(playlist.id, name="Sunday morning", song_ids_to_add=[songs[2]], song_indices_to_remove=[0])
    fetched = phone.get_playlist(playlist.id)
    assert (fetched.name, [entry.id for entry in fetched.entry]) == ("Sunday morning", songs[1:])
    assert all(p.id != playlist.id for p in bob.get_playlists())
    with pytest.raises(opensonic_errors.DataNotFoundError):
        bob.get_playlist(playlist.id)
    phone.delete_playlist(playlist.id)
    assert all(p.id != playlist.id for p in tablet.get_playlists())


def test_py_opensonic_scrobbles_count_for_the_profile(ada_and_bob):
    phone, tablet, bob = ada_and_bob
    song = abbey_road(phone).song[1].id
    before = tablet.get_song(song).play_count or 0
    phone.scrobble(song)
    assert tablet.get_song(song).play_count == before + 1
    assert bob.get_song(song).play_count is None


def test_py_opensonic_bookmarks_and_play_queue_follow_the_profile_not_the_key(ada_and_bob):
    phone, tablet, bob = ada_and_bob
    songs = [song.id for song in abbey_road(phone).song]
    phone.create_bookmark(songs[0], 61_000, comment="where I stopped")
    assert [(b.entry.id, b.position, b.comment) for b in tablet.get_bookmarks()] == [(songs[0], 61_000, "where I stopped")]
    assert bob.get_bookmarks() == []
    tablet.delete_bookmark(songs[0])
    assert phone.get_bookmarks() == []
    phone.save_play_queue(songs, current=songs[2], position=15_000)
    queue = tablet.get_play_queue()
    assert ([entry.id for entry in queue.entry], queue.current, queue.position, queue.username) == (songs, songs[2], 15_000, "Ada")
    assert not bob.get_play_queue().entry


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


def test_py_sonic_cover_art_decodes_at_the_size_asked(engine):
    connection = pysonic(engine)
    various = next(a for entry in connection.getArtists()["artists"]["index"] for a in entry["artist"] if a["name"] == "Various Artists")
    album = connection.getArtist(various["id"])["artist"]["album"][0]
    assert decoded(connection.getCoverArt(album["coverArt"], size=120).read()) == ("PNG", 120, 120)


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
    assert base64.b64decode(streamed["base64"]) == file_bytes(engine, "beyonce/dangerously/01.mp3")[4:12]
    found = subsonic_api("search3", query="hey ya")["searchResult3"]
    assert [song["title"] for song in found["song"]] == ["Hey Ya!"]
    cover = subsonic_api("getCoverArt", id=found["song"][0]["coverArt"], size=64)
    assert cover["status"] == 200 and cover["headers"]["content-type"] == "image/png"
    assert decoded(base64.b64decode(cover["base64"])) == ("PNG", 64, 64)


def test_subsonic_api_stars_bookmarks_and_queues_across_two_keys_of_a_profile(node, engine):
    phone = NodeClient(node, engine, engine.ada_phone, post=True)
    tablet = NodeClient(node, engine, engine.ada_tablet)
    bob = NodeClient(node, engine, engine.bob_phone)
    try:
        song = phone("search3", query="hey ya")["searchResult3"]["song"][0]["id"]
        assert phone("star", id=song)["status"] == "ok"
        assert [s["id"] for s in tablet("getStarred2")["starred2"]["song"]] == [song]
        assert bob("getStarred2")["starred2"]["song"] == []
        assert tablet("unstar", id=song)["status"] == "ok"
        assert phone("createBookmark", id=song, position=3000)["status"] == "ok"
        assert tablet("getBookmarks")["bookmarks"]["bookmark"][0]["position"] == 3000
        assert bob("getBookmarks")["bookmarks"]["bookmark"] == []
        assert phone("deleteBookmark", id=song)["status"] == "ok"
        assert tablet("savePlayQueue", id=[song], current=song, position=1000)["status"] == "ok"
        assert [entry["id"] for entry in phone("getPlayQueue")["playQueue"]["entry"]] == [song]
        assert "entry" not in bob("getPlayQueue")["playQueue"]
        created = phone("createPlaylist", name="From Node", songId=[song])["playlist"]
        assert [p["name"] for p in tablet("getPlaylists")["playlists"]["playlist"] if p["id"] == created["id"]] == ["From Node"]
        assert phone("deletePlaylist", id=created["id"])["status"] == "ok"
        assert phone("scrobble", id=song)["status"] == "ok"
        assert tablet("getSong", id=song)["song"]["playCount"] >= 1
    finally:
        for client in (phone, tablet, bob):
            client.close()


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
