"""When the same content lies in several places, the one shown and streamed first (the *primary*
location) is a regular file with a valid UTF-8 name whenever the library has one."""

import os

import pytest

from tests.background_tasks import rescan_through_api, scan_through_api
from tests.media_samples import write_mp3


def the_asset(client):
    [work] = client.get("/library/works").json()["results"]
    [asset] = client.get(f"/library/works/{work['id']}").json()["assets"]
    return asset


def streamed_name(client, asset):
    response = client.get(f"/stream/{asset['id']}")
    assert response.status_code == 200
    return response.headers["content-disposition"]


def test_a_regular_file_comes_before_a_symbolic_link_met_first(local, client_as, tmp_path):
    root = tmp_path / "music"
    (root / "Album").mkdir(parents=True)
    write_mp3(root / "Album" / "Song.mp3", title="Song", salt="link")
    os.symlink(root / "Album" / "Song.mp3", root / "A shortcut.mp3")  # listed, and so scanned, first
    scan_through_api(local, root)
    admin = client_as("Administrator")
    asset = the_asset(admin)
    assert asset["path"] == str(root / "Album" / "Song.mp3")
    assert [location["path"] for location in asset["locations"]] == [str(root / "Album" / "Song.mp3"), str(root / "A shortcut.mp3")]
    assert streamed_name(client_as("Consumer"), asset) == 'inline; filename="Song.mp3"'


def test_a_valid_utf8_name_comes_before_one_that_is_not(local, client_as, tmp_path):
    root = tmp_path / "music"
    (root / "Sub").mkdir(parents=True)
    write_mp3(root / "Sub" / "Grüße.mp3", title="Greetings", salt="utf8")
    bad = os.path.join(os.fsencode(root), b"Gr\xfc\xdfe.mp3")  # Latin-1 bytes: not UTF-8; scanned first
    with open(bad, "wb") as copy:
        copy.write((root / "Sub" / "Grüße.mp3").read_bytes())
    scan_through_api(local, root)
    asset = the_asset(client_as("Administrator"))
    assert asset["path"] == str(root / "Sub" / "Grüße.mp3")
    assert streamed_name(client_as("Consumer"), asset) == "inline; filename=\"Gr__e.mp3\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.mp3"


def test_without_a_better_copy_the_only_ones_there_are_used(local, client_as, tmp_path):
    root = tmp_path / "music"
    (root / "Sub").mkdir(parents=True)
    write_mp3(root / "Sub" / "Good.mp3", title="Only", salt="only")
    bad = os.path.join(os.fsencode(root), b"B\xe4d.mp3")
    with open(bad, "wb") as copy:
        copy.write((root / "Sub" / "Good.mp3").read_bytes())
    folder = scan_through_api(local, root)["folder_id"]
    (root / "Sub" / "Good.mp3").unlink()
    rescan_through_api(local, folder)
    asset = the_asset(client_as("Administrator"))
    assert asset["path"] == str(root / "B\\xe4d.mp3")  # shown with the byte escaped, as the scan shows it
    assert [location["missing"] for location in asset["locations"]] == [False, True]
    assert client_as("Consumer").get(f"/stream/{asset['id']}").status_code == 200
