"""Browsing the OpenSubsonic API over a scanned library of real tagged files, through the ASGI app.

Artists and albums are derived from works: the album artist, else the artist; names that differ
in case or accents are one; songs in disc, then track order. Every XML answer validates against
the schema written from the specification.
"""

from pathlib import Path

import pytest

from library.models import Work
from library.subsonic import catalog
from tests.streaming_fixtures import make_root, scan
from tests.subsonic.library import validate_xml, write_library


@pytest.fixture
def library(db, tmp_path):
    root = make_root(tmp_path / "music")
    write_library(root.path)
    scan(root)
    return root


@pytest.fixture
def api(library, client_as):
    client = client_as("Consumer")

    def call(method, fmt="json", **params):
        response = client.get(f"/rest/{method}", params={"f": fmt, "v": "1.16.1", "c": "tests", **params})
        assert response.status_code == 200, response.text
        if fmt == "xml":
            validate_xml(response.content)
            return response
        body = response.json()["subsonic-response"]
        assert body["status"] == "ok", body
        return body

    call.client = client
    return call


def names(items, key="name"):
    return [item[key] for item in items]


def test_artists_are_album_artists_case_folded_into_one_and_indexed_without_articles(api):
    body = api("getArtists")["artists"]
    assert body["ignoredArticles"].split()[:3] == ["The", "A", "An"]
    index = {entry["name"]: names(entry["artist"]) for entry in body["index"]}
    assert index == {"B": ["The Beatles", "Beyoncé"], "V": ["Various Artists"], "#": ["[Unknown Artist]"]}
    beyonce = next(artist for entry in body["index"] for artist in entry["artist"] if artist["name"] == "Beyoncé")
    assert beyonce == {"id": catalog.artist_id("BEYONCÉ"), "name": "Beyoncé", "coverArt": beyonce["id"], "albumCount": 1, "sortName": "beyonce"}


def test_an_album_lists_its_songs_by_disc_then_track(api):
    beatles = api("getArtist", id=catalog.artist_id("The Beatles"))["artist"]
    assert names(beatles["album"]) == ["Abbey Road"]
    album = api("getAlbum", id=beatles["album"][0]["id"])["album"]
    assert names(album["song"], "title") == ["Come Together", "Something", "Here Comes the Sun"]
    assert [(song["discNumber"], song["track"]) for song in album["song"]] == [(1, 1), (1, 2), (2, 1)]
    assert (album["songCount"], album["year"], album["genre"], album["artist"]) == (3, 1969, "Rock", "The Beatles")
    assert album["duration"] == sum(song["duration"] for song in album["song"])


def test_songs_carry_what_players_need_and_no_server_path(api, library):
    album = api("getAlbum", id=catalog.album_id("Various Artists", "Now 2003"))["album"]
    song = album["song"][0]
    assert {key: song[key] for key in ("title", "artist", "album", "albumId", "artistId", "isDir", "type", "suffix", "contentType")} == {
        "title": "Crazy in Love", "artist": "Beyoncé", "album": "Now 2003", "albumId": album["id"],
        "artistId": catalog.artist_id("Various Artists"), "isDir": False, "type": "music", "suffix": "mp3", "contentType": "audio/mpeg",
    }
    assert song["size"] > 0 and song["duration"] >= 1 and song["bitRate"] > 0
    assert song["path"] == "Various Artists/Now 2003/01 - Crazy in Love.mp3"
    assert library.path not in api.client.get("/rest/getAlbum", params={"f": "xml", "id": album["id"]}).text
    assert api("getSong", id=song["id"])["song"] == song


def test_ids_are_the_librarys_digests_of_the_case_folded_names(api):
    albums = {album["name"]: album["id"] for album in api("getAlbumList2", type="alphabeticalByName", size=50)["albumList2"]["album"]}
    assert albums["Dangerously In Love"] == catalog.album_id("BEYONCÉ", "dangerously  in love")
    assert albums["Dangerously In Love"] == Work.objects.filter(title="Naughty Girl").get().album_key
    assert api("getAlbum", id=albums["Dangerously In Love"])["album"]["songCount"] == 2


def test_album_lists_page_and_order(api):
    def listed(**params):
        return names(api("getAlbumList2", **params)["albumList2"]["album"])

    assert listed(type="alphabeticalByName", size=50) == ["[Unknown Album]", "Abbey Road", "Dangerously In Love", "Now 2003"]
    assert listed(type="alphabeticalByName", size=2, offset=1) == ["Abbey Road", "Dangerously In Love"]
    assert listed(type="alphabeticalByArtist", size=50) == ["[Unknown Album]", "Abbey Road", "Dangerously In Love", "Now 2003"]
    assert listed(type="byYear", fromYear=2003, toYear=2003, size=50) == ["Dangerously In Love", "Now 2003"]
    assert listed(type="byYear", fromYear=2010, toYear=1960, size=50) == ["Now 2003", "Dangerously In Love", "Abbey Road"]
    assert listed(type="byGenre", genre="Rock") == ["Abbey Road"]
    assert sorted(listed(type="random", size=50)) == sorted(listed(type="newest", size=50))


@pytest.mark.parametrize("params,code", [
    ({}, 10), ({"type": "sideways"}, 0), ({"type": "newest", "size": "501"}, 0), ({"type": "newest", "size": "ten"}, 0),
    ({"type": "byYear"}, 10), ({"type": "byGenre"}, 10), ({"type": "newest", "musicFolderId": "987654"}, 70),
])
def test_bad_list_parameters_are_subsonic_errors(library, client_as, params, code):
    response = client_as("Consumer").get("/rest/getAlbumList2", params={"f": "json", **params})
    assert response.status_code == 200
    assert response.json()["subsonic-response"]["error"]["code"] == code


def test_the_folder_browse_shows_the_same_artists_and_albums(api):
    indexes = api("getIndexes")["indexes"]
    assert indexes["lastModified"] > 0
    beatles = next(artist for entry in indexes["index"] for artist in entry["artist"] if artist["name"] == "The Beatles")
    artist_dir = api("getMusicDirectory", id=beatles["id"])["directory"]
    assert names(artist_dir["child"], "title") == ["Abbey Road"] and artist_dir["child"][0]["isDir"] is True
    album_dir = api("getMusicDirectory", id=artist_dir["child"][0]["id"])["directory"]
    assert album_dir["parent"] == beatles["id"]
    assert names(album_dir["child"], "title") == ["Come Together", "Something", "Here Comes the Sun"]
    assert api("getIndexes", ifModifiedSince=indexes["lastModified"])["indexes"].get("index") == []


def test_music_folders_name_the_folder_not_its_place(api, library):
    folders = api("getMusicFolders")["musicFolders"]["musicFolder"]
    assert folders == [{"id": library.pk, "name": "music"}]
    assert names(api("getAlbumList2", type="newest", musicFolderId=library.pk, size=50)["albumList2"]["album"]) != []


def test_genres_count_songs_and_albums(api):
    assert api("getGenres")["genres"]["genre"] == [
        {"songCount": 2, "albumCount": 1, "value": "Pop"},
        {"songCount": 2, "albumCount": 1, "value": "R&B"},
        {"songCount": 3, "albumCount": 1, "value": "Rock"},
    ]


def test_random_songs_respect_size_and_filters(api):
    assert len(api("getRandomSongs", size=3)["randomSongs"]["song"]) == 3
    assert sorted(names(api("getRandomSongs", size=50, genre="Pop")["randomSongs"]["song"], "title")) == ["Crazy in Love", "Hey Ya!"]
    assert names(api("getRandomSongs", fromYear=1960, toYear=1970, size=50)["randomSongs"]["song"], "title") != []


def test_search_finds_artists_albums_and_songs_by_every_word(api):
    found = api("search3", query="beyonce love")["searchResult3"]
    assert names(found["artist"]) == []
    assert names(found["album"]) == ["Dangerously In Love"]
    assert names(found["song"], "title") == ["Crazy in Love", "Dangerously in Love", "Naughty Girl"]
    assert names(api("search3", query="BEYONCÉ")["searchResult3"]["artist"]) == ["Beyoncé"]


@pytest.mark.parametrize("query,titles", [
    ("beyonce love", ["Crazy in Love", "Dangerously in Love", "Naughty Girl"]),
    ("YA", ["Hey Ya!"]),
    ("come\x7f together", ["Come Together"]),  # a control character is no part of any title
])
def test_search_finds_the_songs_the_works_list_finds(api, query, titles):
    songs = api("search3", query=query, songCount=500, artistCount=0, albumCount=0)["searchResult3"]["song"]
    works = api.client.get("/library/works", params={"q": query, "page_size": 500}).json()["results"]
    assert sorted(names(songs, "title")) == titles
    assert sorted(int(song["id"]) for song in songs) == sorted(work["id"] for work in works)


def test_an_empty_query_pages_through_every_song_in_a_stable_order(api):
    everything = api("search3", query='""', songCount=500, artistCount=0, albumCount=0)["searchResult3"]
    assert len(everything["song"]) == 8 and "artist" not in everything or everything["artist"] == []
    pages = [api("search3", query="", songCount=3, songOffset=offset, artistCount=0, albumCount=0)["searchResult3"]["song"] for offset in (0, 3, 6)]
    assert [song["id"] for page in pages for song in page] == [song["id"] for song in everything["song"]]


def test_unknown_ids_are_error_70(library, client_as):
    client = client_as("Consumer")
    for method, id_ in (("getAlbum", "al-0000000000000000"), ("getArtist", "ar-nope"), ("getSong", "987654"), ("getSong", "x"),
                        ("getMusicDirectory", "987654"), ("stream", "987654"), ("download", "al-1")):
        body = client.get(f"/rest/{method}", params={"f": "json", "id": id_}).json()["subsonic-response"]
        assert body["error"]["code"] == 70, (method, body)


def test_every_answer_validates_as_xml(api):
    album = catalog.album_id("The Beatles", "Abbey Road")
    for method, params in (
        ("ping", {}), ("getLicense", {}), ("getOpenSubsonicExtensions", {}), ("getMusicFolders", {}), ("getIndexes", {}),
        ("getArtists", {}), ("getArtist", {"id": catalog.artist_id("The Beatles")}), ("getAlbum", {"id": album}),
        ("getMusicDirectory", {"id": album}), ("getMusicDirectory", {"id": catalog.artist_id("The Beatles")}),
        ("getAlbumList2", {"type": "newest"}), ("getRandomSongs", {}), ("getGenres", {}), ("search3", {"query": "a"}),
        ("getUser", {}), ("getScanStatus", {}), ("tokenInfo", {}), ("getAlbum", {"id": "al-nope"}), ("startScan", {}),
    ):
        api(method, fmt="xml", **params)
    song = api("getAlbum", id=album)["album"]["song"][0]["id"]
    api("getSong", fmt="xml", id=song)


def test_extensions_are_announced(api):
    assert api("getOpenSubsonicExtensions")["openSubsonicExtensions"] == [
        {"name": "apiKeyAuthentication", "versions": [1]}, {"name": "formPost", "versions": [1]},
    ]


def test_stream_sends_the_original_file_with_ranges_and_download_as_attachment(api, library):
    song = api("getAlbum", id=catalog.album_id("The Beatles", "Abbey Road"))["album"]["song"][0]
    client = api.client
    whole = client.get("/rest/stream", params={"id": song["id"], "maxBitRate": "128", "format": "mp3"})
    assert whole.status_code == 200 and whole.headers["content-type"] == "audio/mpeg"
    assert len(whole.content) == song["size"]
    part = client.get("/rest/stream.view", params={"id": song["id"]}, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == whole.content[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{song['size']}"
    beyond = client.get("/rest/stream", params={"id": song["id"]}, headers={"Range": f"bytes={song['size'] + 5}-"})
    assert beyond.status_code == 416
    download = client.get("/rest/download", params={"id": song["id"]})
    assert download.content == whole.content and download.headers["Content-Disposition"].startswith("attachment;")


def test_the_derived_albums_follow_a_rescan_and_a_corrected_claim(api, library, client_as):
    def album_names():
        return names(api("getAlbumList2", type="alphabeticalByName", size=50)["albumList2"]["album"])

    assert "Help!" not in album_names()
    from tests.media_samples import write_mp3

    (Path(library.path) / "beatles" / "help").mkdir()
    write_mp3(Path(library.path) / "beatles" / "help" / "01.mp3", title="Help!", artist="The Beatles", album="Help!", track=1, salt="help")
    scan(library)
    assert "Help!" in album_names()
    song = api("search3", query="help", artistCount=0, albumCount=0)["searchResult3"]["song"][0]
    locked = client_as("Curator").post("/metadata/lock-claim", json={"work_id": int(song["id"]), "field": "album", "value": "Help! (Remastered)"})
    assert locked.status_code == 201, locked.text
    assert "Help! (Remastered)" in album_names() and "Help!" not in album_names()


def test_cover_art_of_albums_artists_and_songs_at_the_size_asked(api):
    from tests.artwork_samples import decoded

    client = api.client
    album = api("getAlbum", id=catalog.album_id(*("The Beatles", "Abbey Road")))["album"]
    for cover_id in (album["coverArt"], album["artistId"], album["song"][0]["coverArt"]):
        response = client.get("/rest/getCoverArt", params={"id": cover_id, "size": 150})
        assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg", response.text
        assert decoded(response.content) == ("JPEG", 150, 100)
        assert response.headers["ETag"] and response.headers["Cache-Control"] == "private, max-age=86400"
    again = client.get("/rest/getCoverArt", params={"id": album["coverArt"], "size": 150}, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    sidecar = client.get("/rest/getCoverArt.view", params={"id": catalog.album_id("Various Artists", "Now 2003")})
    assert decoded(sidecar.content)[1:] == (300, 300)
    huge = client.get("/rest/getCoverArt", params={"id": album["coverArt"], "size": 100000})
    assert decoded(huge.content)[1:] == (600, 400)
    for cover_id in (catalog.album_id("Beyoncé", "Dangerously in Love"), "al-0000000000000000", "987654", "x"):
        body = client.get("/rest/getCoverArt", params={"f": "json", "id": cover_id}).json()["subsonic-response"]
        assert body["error"]["code"] == 70, cover_id
    assert client.get("/rest/getCoverArt", params={"f": "json", "id": album["coverArt"], "size": "0"}).json()["subsonic-response"]["error"]["code"] == 0
