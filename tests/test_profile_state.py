"""Per-profile state over the REST API: two keys of one profile see the same stars, ratings, plays,
bookmarks, play queue and playlists; another profile sees none of it. Public playlists are read
by everyone and written by their owner only. Refused writes change nothing."""

import pytest

from library import catalog
from library.models.state import Playlist, PlayQueue, Star
from security.audit import Actor
from security.profiles.services import delete_profile
from tests.state_fixtures import people, songs  # noqa: F401

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.text
    return response.json()["results"]


# --- stars ---------------------------------------------------------------------------------------


def test_a_star_made_on_one_device_is_seen_on_the_other_and_by_nobody_else(people, songs):
    ana, ben = people["ana"], people["ben"]
    work = songs["Blue Train"]
    response = ana.phone.put(f"/me/stars/work/{work.pk}")
    assert response.status_code == 200
    assert (response.json()["kind"], response.json()["item_id"]) == ("work", str(work.pk))
    assert [(s["kind"], s["item_id"]) for s in results(ana.tablet.get("/me/stars"))] == [("work", str(work.pk))]
    assert results(ben.phone.get("/me/stars")) == []


def test_albums_and_artists_are_starred_by_the_ids_derived_from_their_works(people, songs):
    ana = people["ana"]
    album = songs["Blue Train"].album_key
    artist = songs["So What"].artist_key
    assert album == catalog.album_id("John Coltrane", "Blue Train") and artist == catalog.artist_id("Miles Davis")
    assert ana.phone.put(f"/me/stars/album/{album}").status_code == 200
    assert ana.phone.put(f"/me/stars/artist/{artist}").status_code == 200
    assert {(s["kind"], s["item_id"]) for s in results(ana.tablet.get("/me/stars"))} == {("album", album), ("artist", artist)}
    assert [s["item_id"] for s in results(ana.tablet.get("/me/stars?kind=album"))] == [album]


def test_the_album_artist_names_the_album_and_equal_album_names_of_two_artists_stay_two(songs):
    guest, other = songs["Giant Steps (guest)"], songs["Other Hit"]
    assert guest.artist_key == catalog.artist_id("John Coltrane") == songs["Blue Train"].artist_key
    assert guest.album_key == catalog.album_id("John Coltrane", "Greatest Hits")
    assert other.album_key == catalog.album_id("Someone Else", "Greatest Hits") != guest.album_key
    assert catalog.album_id(" john  COLTRANE", "blue train") == songs["Blue Train"].album_key


def test_starring_twice_keeps_one_star_and_unstarring_is_idempotent(people, songs):
    ana = people["ana"]
    work = songs["So What"]
    first = ana.phone.put(f"/me/stars/work/{work.pk}").json()
    assert ana.tablet.put(f"/me/stars/work/{work.pk}").json() == first
    assert Star.objects.filter(profile=ana.profile).count() == 1
    assert ana.tablet.delete(f"/me/stars/work/{work.pk}").status_code == 204
    assert ana.tablet.delete(f"/me/stars/work/{work.pk}").status_code == 204
    assert results(ana.phone.get("/me/stars")) == []


@pytest.mark.parametrize("path, status, code", [
    ("/me/stars/work/987654", 404, "item_not_found"),
    ("/me/stars/album/al-0000000000000000", 404, "item_not_found"),
    ("/me/stars/artist/not-an-artist", 404, "item_not_found"),
    ("/me/stars/song/1", 404, "not_found"),
])
def test_starring_what_the_library_does_not_hold_is_refused_and_stores_nothing(people, songs, path, status, code):
    response = people["ana"].phone.put(path)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Star.objects.exists()


def test_a_star_of_a_work_that_left_the_library_is_no_longer_listed(people, songs):
    ana = people["ana"]
    work = songs["So What"]
    ana.phone.put(f"/me/stars/work/{work.pk}")
    ana.phone.put(f"/me/stars/album/{work.album_key}")
    work.delete()
    assert results(ana.phone.get("/me/stars")) == []


# --- ratings -------------------------------------------------------------------------------------


def test_ratings_are_per_profile_and_zero_removes_one(people, songs):
    ana, ben = people["ana"], people["ben"]
    work = songs["Blue Train"]
    assert ana.phone.put(f"/me/ratings/work/{work.pk}", json={"rating": 4}).json()["rating"] == 4
    assert ben.phone.put(f"/me/ratings/work/{work.pk}", json={"rating": 1}).json()["rating"] == 1
    assert [(r["item_id"], r["rating"]) for r in results(ana.tablet.get("/me/ratings"))] == [(str(work.pk), 4)]
    assert ana.tablet.put(f"/me/ratings/work/{work.pk}", json={"rating": 5}).json()["rating"] == 5
    assert ana.phone.put(f"/me/ratings/work/{work.pk}", json={"rating": 0}).status_code == 204
    assert results(ana.tablet.get("/me/ratings")) == []
    assert [r["rating"] for r in results(ben.tablet.get("/me/ratings"))] == [1]


@pytest.mark.parametrize("body", [{"rating": 6}, {"rating": -1}, {"rating": "five"}, {"rating": 2.5}, {}, {"rating": 3, "stars": 3}])
def test_a_rating_outside_one_to_five_is_refused(people, songs, body):
    ana = people["ana"]
    work = songs["Blue Train"]
    ana.phone.put(f"/me/ratings/work/{work.pk}", json={"rating": 2})
    response = ana.phone.put(f"/me/ratings/work/{work.pk}", json=body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert [r["rating"] for r in results(ana.phone.get("/me/ratings"))] == [2]


# --- plays ---------------------------------------------------------------------------------------


def test_scrobbles_count_plays_per_profile_and_a_late_one_keeps_the_last_played_time(people, songs):
    ana, ben = people["ana"], people["ben"]
    work = songs["So What"]
    first = ana.phone.post("/me/plays", json={"work_id": work.pk, "played_at": "2026-01-02T10:00:00Z"}).json()
    assert (first["play_count"], first["last_played_at"]) == (1, "2026-01-02T10:00:00Z")
    late = ana.tablet.post("/me/plays", json={"work_id": work.pk, "played_at": "2026-01-01T09:00:00Z"}).json()
    assert (late["play_count"], late["last_played_at"]) == (2, "2026-01-02T10:00:00Z")
    assert [(p["work_id"], p["play_count"]) for p in results(ana.phone.get("/me/plays"))] == [(work.pk, 2)]
    assert results(ben.phone.get("/me/plays")) == []


def test_a_scrobble_of_an_unknown_work_or_from_the_future_is_refused(people, songs):
    ana = people["ana"]
    assert ana.phone.post("/me/plays", json={"work_id": 987654}).status_code == 404
    future = ana.phone.post("/me/plays", json={"work_id": songs["So What"].pk, "played_at": "2999-01-01T00:00:00Z"})
    assert (future.status_code, future.json()["code"]) == (400, "invalid_played_at")
    assert results(ana.phone.get("/me/plays")) == []


# --- bookmarks -----------------------------------------------------------------------------------


def test_a_bookmark_saved_on_the_phone_is_resumed_on_the_tablet(people, songs):
    ana, ben = people["ana"], people["ben"]
    asset = songs["Blue Train"].assets.get()
    saved = ana.phone.put(f"/me/bookmarks/{asset.pk}", json={"position_ms": 754_000, "comment": "chapter 3"})
    assert saved.status_code == 200
    [bookmark] = results(ana.tablet.get("/me/bookmarks"))
    assert (bookmark["asset_id"], bookmark["work_id"], bookmark["position_ms"], bookmark["comment"]) == (
        asset.pk, songs["Blue Train"].pk, 754_000, "chapter 3",
    )
    moved = ana.tablet.put(f"/me/bookmarks/{asset.pk}", json={"position_ms": 800_000}).json()
    assert (moved["position_ms"], moved["comment"], moved["created_at"]) == (800_000, "", bookmark["created_at"])
    assert results(ben.phone.get("/me/bookmarks")) == []
    assert ana.phone.delete(f"/me/bookmarks/{asset.pk}").status_code == 204
    assert results(ana.tablet.get("/me/bookmarks")) == []


@pytest.mark.parametrize("body", [{"position_ms": -1}, {"position_ms": "soon"}, {"position_ms": 1, "comment": "x" * 501}, {}])
def test_a_bad_bookmark_is_refused(people, songs, body):
    asset = songs["Blue Train"].assets.get()
    response = people["ana"].phone.put(f"/me/bookmarks/{asset.pk}", json=body)
    assert (response.status_code, response.json()["code"]) == (400, "invalid")
    assert people["ana"].phone.put("/me/bookmarks/987654", json={"position_ms": 1}).status_code == 404
    assert results(people["ana"].phone.get("/me/bookmarks")) == []


# --- the play queue ------------------------------------------------------------------------------


def test_the_play_queue_saved_by_one_device_is_picked_up_by_the_other(people, songs):
    ana, ben = people["ana"], people["ben"]
    order = [songs["So What"].pk, songs["Blue Train"].pk, songs["So What"].pk]
    saved = ana.phone.put("/me/play-queue", json={"entries": order, "current_index": 2, "position_ms": 61_500})
    assert saved.status_code == 200
    queue = ana.tablet.get("/me/play-queue").json()
    assert (queue["entries"], queue["current_index"], queue["position_ms"], queue["changed_by"]) == (order, 2, 61_500, "Ana's phone")
    assert ben.phone.get("/me/play-queue").json() == {
        "entries": [], "current_index": None, "position_ms": 0, "changed_at": None, "changed_by": "",
    }
    ana.tablet.put("/me/play-queue", json={"entries": order[:1], "client": "Symfonium"})
    assert ana.phone.get("/me/play-queue").json()["changed_by"] == "Symfonium"
    assert ana.phone.delete("/me/play-queue").status_code == 204
    assert ana.tablet.get("/me/play-queue").json()["entries"] == []


@pytest.mark.parametrize("body, status", [
    ({"entries": [987654]}, 404),
    ({"entries": [1], "current_index": 5}, 400),
    ({"entries": "1,2"}, 400),
    ({"entries": [1], "position_ms": -5}, 400),
])
def test_a_bad_play_queue_is_refused_and_the_saved_one_stays(people, songs, body, status):
    ana = people["ana"]
    work = songs["So What"].pk
    ana.phone.put("/me/play-queue", json={"entries": [work], "current_index": 0, "position_ms": 10})
    if body["entries"] == [1]:
        body = {**body, "entries": [work]}
    response = ana.phone.put("/me/play-queue", json=body)
    assert response.status_code == status
    assert ana.phone.get("/me/play-queue").json()["entries"] == [work]


def test_a_queued_work_that_left_the_library_leaves_the_queue_and_the_current_entry_follows(people, songs):
    ana = people["ana"]
    first, second, third = songs["So What"], songs["Blue Train"], songs["Other Hit"]
    ana.phone.put("/me/play-queue", json={"entries": [first.pk, second.pk, third.pk], "current_index": 2})
    first.delete()
    queue = ana.phone.get("/me/play-queue").json()
    assert (queue["entries"], queue["current_index"]) == ([second.pk, third.pk], 1)


# --- playlists -----------------------------------------------------------------------------------


def test_a_private_playlist_is_its_owners_alone(people, songs):
    ana, ben = people["ana"], people["ben"]
    entries = [songs["So What"].pk, songs["Blue Train"].pk]
    created = ana.phone.post("/playlists", json={"name": "Late night", "comment": "quiet", "entries": entries})
    assert created.status_code == 201
    playlist = created.json()
    assert (playlist["name"], playlist["public"], playlist["entries"], playlist["entry_count"]) == ("Late night", False, entries, 2)
    assert playlist["owner"] == {"id": ana.profile.pk, "display_name": "Ana"}
    assert [p["id"] for p in results(ana.tablet.get("/playlists"))] == [playlist["id"]]
    assert results(ben.phone.get("/playlists")) == []
    for response in (ben.phone.get(f"/playlists/{playlist['id']}"), ben.phone.delete(f"/playlists/{playlist['id']}")):
        assert (response.status_code, response.json()["code"]) == (404, "playlist_not_found")


def test_a_public_playlist_is_read_by_everyone_and_changed_by_its_owner_only(people, songs):
    ana, ben = people["ana"], people["ben"]
    playlist = ana.phone.post("/playlists", json={"name": "Party", "public": True, "entries": [songs["So What"].pk]}).json()
    assert [p["name"] for p in results(ben.phone.get("/playlists"))] == ["Party"]
    assert ben.phone.get(f"/playlists/{playlist['id']}").json()["entries"] == [songs["So What"].pk]
    for response in (
        ben.phone.patch(f"/playlists/{playlist['id']}", json={"name": "Mine now"}),
        ben.phone.put(f"/playlists/{playlist['id']}", json={"name": "Mine now"}),
        ben.phone.delete(f"/playlists/{playlist['id']}"),
    ):
        assert (response.status_code, response.json()["code"]) == (403, "not_playlist_owner")
    assert Playlist.objects.get().name == "Party"
    changed = ana.tablet.patch(f"/playlists/{playlist['id']}", json={"entries": [songs["Blue Train"].pk, songs["So What"].pk]})
    assert changed.json()["entries"] == [songs["Blue Train"].pk, songs["So What"].pk]
    assert ana.tablet.patch(f"/playlists/{playlist['id']}", json={"public": False}).json()["public"] is False
    assert ben.phone.get(f"/playlists/{playlist['id']}").status_code == 404
    assert ana.phone.delete(f"/playlists/{playlist['id']}").status_code == 204
    assert not Playlist.objects.exists()


def test_put_replaces_a_playlist_and_patch_changes_only_what_it_names(people, songs):
    ana = people["ana"]
    playlist = ana.phone.post("/playlists", json={"name": "A", "comment": "c", "public": True, "entries": [songs["So What"].pk]}).json()
    patched = ana.phone.patch(f"/playlists/{playlist['id']}", json={"name": "B"}).json()
    assert (patched["name"], patched["comment"], patched["public"], patched["entries"]) == ("B", "c", True, [songs["So What"].pk])
    replaced = ana.phone.put(f"/playlists/{playlist['id']}", json={"name": "C"}).json()
    assert (replaced["name"], replaced["comment"], replaced["public"], replaced["entries"]) == ("C", "", False, [])


@pytest.mark.parametrize("body, status", [
    ({"name": ""}, 400), ({"name": "x" * 201}, 400), ({"name": "A", "entries": [987654]}, 404),
    ({"name": "A", "owner": 1}, 400), ({"name": "A", "entries": [0]}, 400),
])
def test_a_bad_playlist_is_refused_and_nothing_changes(people, songs, body, status):
    ana = people["ana"]
    playlist = ana.phone.post("/playlists", json={"name": "Keep", "entries": [songs["So What"].pk]}).json()
    assert ana.phone.post("/playlists", json=body).status_code == status
    assert ana.phone.put(f"/playlists/{playlist['id']}", json=body).status_code == status
    assert list(Playlist.objects.values_list("name", flat=True)) == ["Keep"]
    assert ana.phone.get(f"/playlists/{playlist['id']}").json()["entries"] == [songs["So What"].pk]


def test_the_subsonic_style_update_removes_indexes_then_appends(people, songs):
    from library.state import playlists, selectors

    owner = people["ana"].profile
    a, b, c = songs["So What"].pk, songs["Blue Train"].pk, songs["Other Hit"].pk
    playlist = playlists.create_playlist(owner, name="Mix", work_ids=[a, b, a])
    playlists.update_playlist(playlist, remove_indexes=[0, 2], add=[c, a])
    assert selectors.playlist_entries(playlist) == [b, c, a]


# --- the localhost Administrator, and profiles leaving ----------------------------------------------


def test_the_localhost_administrators_state_is_the_owners(local, make_key, songs):
    from tests.conftest import EngineClient

    work = songs["So What"]
    assert local.put(f"/me/stars/work/{work.pk}").status_code == 200
    _, owners_key = make_key("Consumer", label="Owner's phone")
    assert [s["item_id"] for s in results(EngineClient(key=owners_key).get("/me/stars"))] == [str(work.pk)]


def test_deleting_a_profile_removes_its_state(people, songs):
    ana = people["ana"]
    work = songs["So What"]
    ana.phone.put(f"/me/stars/work/{work.pk}")
    ana.phone.put("/me/play-queue", json={"entries": [work.pk]})
    ana.phone.post("/playlists", json={"name": "Gone", "public": True})
    delete_profile(ana.profile, actor=Actor("test"))
    assert not Star.objects.exists() and not PlayQueue.objects.exists() and not Playlist.objects.exists()
    assert results(people["ben"].phone.get("/playlists")) == []
