"""A profile's own state over OpenSubsonic, through the ASGI app: stars, ratings, plays,
bookmarks, the play queue and playlists. Two keys of one profile share it; another profile
does not see it. The writes go through library.state's services (their own tests cover the
rules); these tests hold the protocol's side."""

import pytest

from library.subsonic import catalog
from security.audit import Actor
from security.profiles.services import create_profile
from tests.conftest import EngineClient
from tests.streaming_fixtures import make_root, scan
from tests.subsonic.library import validate_xml, write_library

ABBEY_ROAD = ("The Beatles", "Abbey Road")


@pytest.fixture
def library(db, tmp_path):
    root = make_root(tmp_path / "music")
    write_library(root.path)
    scan(root)
    return root


class Device:
    """A music app with one key."""

    def __init__(self, key):
        self.client = EngineClient()
        self.key = key

    def raw(self, method, **params):
        return self.client.get(f"/rest/{method}", params={"apiKey": self.key, "c": "tests", **params})

    def __call__(self, method, **params):
        body = self.raw(method, f="json", **params).json()["subsonic-response"]
        assert body["status"] == "ok", body
        return body

    def error(self, method, **params):
        body = self.raw(method, f="json", **params).json()["subsonic-response"]
        assert body["status"] == "failed", body
        return body["error"]["code"]

    def xml(self, method, **params):
        response = self.raw(method, **params)
        validate_xml(response.content)
        return response


@pytest.fixture
def devices(library, make_key):
    """Ada's phone and laptop (two keys of one profile), and Bob's phone."""
    ada = create_profile(display_name="Ada", actor=Actor("test"))
    bob = create_profile(display_name="Bob", actor=Actor("test"))
    return (
        Device(make_key("Consumer", label="Ada's phone", profile=ada)[1]),
        Device(make_key("Curator", label="Ada's laptop", profile=ada)[1]),
        Device(make_key("Consumer", label="Bob's phone", profile=bob)[1]),
    )


def abbey_road(device):
    return device("getAlbum", id=catalog.album_id(*ABBEY_ROAD))["album"]


def test_stars_of_songs_albums_and_artists_are_the_profiles(devices):
    phone, laptop, other = devices
    album = abbey_road(phone)
    song = album["song"][0]
    phone("star", id=song["id"])
    phone("star", albumId=album["id"], artistId=album["artistId"])
    starred = laptop("getStarred2")["starred2"]
    assert [item["id"] for item in starred["song"]] == [song["id"]]
    assert [item["id"] for item in starred["album"]] == [album["id"]]
    assert [item["id"] for item in starred["artist"]] == [album["artistId"]]
    assert "starred" in abbey_road(laptop) and "starred" in abbey_road(laptop)["song"][0]
    assert other("getStarred2")["starred2"] == {"artist": [], "album": [], "song": []}
    assert "starred" not in abbey_road(other)
    laptop("unstar", id=song["id"], albumId=album["id"])
    assert [len(phone("getStarred2")["starred2"][kind]) for kind in ("artist", "album", "song")] == [1, 0, 0]
    phone.xml("getStarred2")


def test_starring_nothing_or_what_does_not_exist_is_refused(devices):
    phone, _, _ = devices
    assert phone.error("star") == 10
    assert phone.error("star", id="987654") == 70
    assert phone.error("star", albumId="al-0000000000000000") == 70


def test_ratings_show_as_user_rating(devices):
    phone, laptop, other = devices
    album = abbey_road(phone)
    phone("setRating", id=album["song"][1]["id"], rating=4)
    phone("setRating", id=album["id"], rating=5)
    assert abbey_road(laptop)["userRating"] == 5
    assert abbey_road(laptop)["song"][1]["userRating"] == 4
    assert "userRating" not in abbey_road(other)
    assert phone.error("setRating", id=album["id"], rating=6) == 0
    phone("setRating", id=album["id"], rating=0)
    assert "userRating" not in abbey_road(laptop)


def test_scrobbles_count_plays_for_the_profile(devices):
    phone, laptop, other = devices
    song = abbey_road(phone)["song"][0]["id"]
    phone("scrobble", id=song)
    laptop("scrobble", id=song, time=1_700_000_000_000)
    phone("scrobble", id=song, submission="false")
    played = phone("getSong", id=song)["song"]
    assert played["playCount"] == 2 and played["played"].endswith("Z")
    assert abbey_road(laptop)["playCount"] == 2
    assert "playCount" not in other("getSong", id=song)["song"]
    assert phone.error("scrobble", id="987654") == 70
    assert phone.error("scrobble") == 10


def test_bookmarks_are_shared_by_a_profiles_keys_and_hidden_from_others(devices):
    phone, laptop, other = devices
    song = abbey_road(phone)["song"][2]["id"]
    phone("createBookmark", id=song, position=93_500, comment="chapter 3")
    marks = laptop("getBookmarks")["bookmarks"]["bookmark"]
    assert [(mark["entry"]["id"], mark["position"], mark["comment"], mark["username"]) for mark in marks] == [(song, 93_500, "chapter 3", "Ada")]
    assert laptop("getSong", id=song)["song"]["bookmarkPosition"] == 93_500
    assert other("getBookmarks")["bookmarks"] == {"bookmark": []}
    assert other.error("deleteBookmark", id=song) == 70
    laptop("createBookmark", id=song, position=120_000)
    assert phone("getBookmarks")["bookmarks"]["bookmark"][0]["position"] == 120_000
    phone.xml("getBookmarks")
    phone("deleteBookmark", id=song)
    assert laptop("getBookmarks")["bookmarks"] == {"bookmark": []}
    assert phone.error("createBookmark", id=song) == 10
    assert phone.error("createBookmark", id=song, position=-1) == 0


def test_the_play_queue_moves_between_a_profiles_devices(devices):
    phone, laptop, other = devices
    songs = [song["id"] for song in abbey_road(phone)["song"]]
    phone.raw("savePlayQueue", f="json", id=songs, current=songs[1], position=42_000)
    queue = laptop("getPlayQueue")["playQueue"]
    assert [entry["id"] for entry in queue["entry"]] == songs
    assert (queue["current"], queue["position"], queue["username"], queue["changedBy"]) == (songs[1], 42_000, "Ada", "tests")
    laptop.xml("getPlayQueue")
    assert other("getPlayQueue")["playQueue"] == {"username": "Bob", "changed": other("getPlayQueue")["playQueue"]["changed"], "changedBy": ""}
    assert phone.error("savePlayQueue", id=songs[0]) == 10
    assert phone.error("savePlayQueue", id=songs[0], current=songs[1]) == 0
    phone("savePlayQueue")
    assert "entry" not in laptop("getPlayQueue")["playQueue"]
    laptop.xml("getPlayQueue")


def test_a_playlist_round_trip(devices):
    phone, laptop, other = devices
    songs = [song["id"] for song in abbey_road(phone)["song"]]
    created = phone.raw("createPlaylist", f="json", name="Road trip", songId=[songs[2], songs[0]]).json()["subsonic-response"]["playlist"]
    assert [entry["id"] for entry in created["entry"]] == [songs[2], songs[0]]
    assert (created["name"], created["owner"], created["songCount"], created["public"], created["readonly"]) == ("Road trip", "Ada", 2, False, False)
    playlist = created["id"]
    laptop.raw("updatePlaylist", f="json", playlistId=playlist, name="Road trip 2", songIdToAdd=songs[1], songIndexToRemove=0)
    updated = phone("getPlaylist", id=playlist)["playlist"]
    assert (updated["name"], [entry["id"] for entry in updated["entry"]]) == ("Road trip 2", [songs[0], songs[1]])
    assert updated["duration"] == sum(song["duration"] for song in updated["entry"])
    assert [item["id"] for item in laptop("getPlaylists")["playlists"]["playlist"]] == [playlist]
    assert other("getPlaylists")["playlists"] == {"playlist": []}
    assert other.error("getPlaylist", id=playlist) == 70
    phone("updatePlaylist", playlistId=playlist, public="true")
    assert other("getPlaylist", id=playlist)["playlist"]["readonly"] is True
    assert other.error("updatePlaylist", playlistId=playlist, name="mine now") == 50
    assert other.error("deletePlaylist", id=playlist) == 50
    replaced = phone.raw("createPlaylist", f="json", playlistId=playlist, songId=songs[2]).json()["subsonic-response"]["playlist"]
    assert [entry["id"] for entry in replaced["entry"]] == [songs[2]]
    phone.xml("getPlaylists")
    phone.xml("getPlaylist", id=playlist)
    phone("deletePlaylist", id=playlist)
    assert phone.error("getPlaylist", id=playlist) == 70
    assert phone.error("createPlaylist") == 10
