"""A file that is no longer the one the scan took in is not streamed: 409 ``asset_changed``, and
its folder is rescanned.

Containment is checked at every request, but what the scan checked (that the file is media, its
hash, its tags) held only for the file it saw. Replacing it by a hard link to a file outside the
library, or moving another file into its place with the same size and modification time,
served the new bytes under the old hash. After opening, the stream now compares the open
file's identity (device, inode, size, modification time) with what the scan recorded.
"""

import os

import pytest
from django_tasks_db.models import DBTaskResult

from library.models import AssetLocation, ScanJob
from tests.background_tasks import run_pending_tasks
from tests.streaming_fixtures import add_file, flac, make_root, scan

SONG = flac(b"the song the scan took in" * 100)


@pytest.fixture
def library(db, tmp_path):
    return make_root(tmp_path / "library")


@pytest.fixture
def consumer(client_as):
    return client_as("Consumer")


@pytest.fixture
def song(library):
    asset = add_file(library, "Albums/song.flac", SONG)
    return asset, os.path.join(library.path, "Albums", "song.flac")


def scans_queued():
    return DBTaskResult.objects.filter(status="READY", task_path__endswith="scan_folder").count()


def assert_changed(response):
    assert response.status_code == 409, response.status_code
    assert response.json()["code"] == "asset_changed"
    assert SONG not in response.content and b"outside" not in response.content


def test_the_file_the_scan_took_in_is_served(song, consumer):
    asset, _ = song
    response = consumer.get(f"/stream/{asset.pk}")
    assert (response.status_code, response.content) == (200, SONG)
    assert response.headers["etag"] == f'"{asset.content_hash}"'


def test_a_hard_link_to_a_file_outside_the_library_is_not_served(song, consumer, tmp_path):
    asset, path = song
    outside = tmp_path / "outside.flac"
    outside.write_bytes(flac(b"outside the library" * 100)[: len(SONG)].ljust(len(SONG), b"!"))
    scanned = os.stat(path)
    os.utime(outside, ns=(scanned.st_atime_ns, scanned.st_mtime_ns))
    os.remove(path)
    os.link(outside, path)
    assert os.stat(path).st_size == scanned.st_size and os.stat(path).st_mtime_ns == scanned.st_mtime_ns
    assert_changed(consumer.get(f"/stream/{asset.pk}"))
    assert scans_queued() == 1


def test_another_file_moved_into_its_place_with_its_size_and_time_is_not_served(song, consumer, tmp_path):
    """What ``rsync`` and most editors do: write a new file beside it, rename it over."""
    asset, path = song
    scanned = os.stat(path)
    replacement = os.path.join(os.path.dirname(path), ".song.flac.partial")
    with open(replacement, "wb") as handle:
        handle.write(flac(b"other bytes, same length" * 200)[: len(SONG)])
    os.utime(replacement, ns=(scanned.st_atime_ns, scanned.st_mtime_ns))
    os.replace(replacement, path)
    assert_changed(consumer.get(f"/stream/{asset.pk}"))
    assert consumer.head(f"/stream/{asset.pk}").status_code == 409


def test_an_edited_file_is_served_again_once_the_rescan_has_taken_it_in(song, consumer, library):
    asset, path = song
    edited = flac(b"a new master of the song" * 120)
    with open(path, "wb") as handle:
        handle.write(edited)
    assert_changed(consumer.get(f"/stream/{asset.pk}"))
    assert consumer.get(f"/stream/{asset.pk}").status_code == 409
    assert scans_queued() == 1, "one rescan is queued however often the file is asked for"
    assert run_pending_tasks() >= 1
    location = AssetLocation.objects.get(root=library, raw_path=b"Albums/song.flac")
    response = consumer.get(f"/stream/{location.asset_id}")
    assert (response.status_code, response.content) == (200, edited)


def test_another_location_with_the_same_content_is_served_instead(library, consumer, tmp_path):
    asset = add_file(library, "Albums/song.flac", SONG)
    add_file(library, "Copies/song.flac", SONG)
    assert asset.locations.count() == 2
    first = os.path.join(library.path, "Albums", "song.flac")
    with open(first, "wb") as handle:
        handle.write(flac(b"changed"))
    response = consumer.get(f"/stream/{asset.pk}")
    assert (response.status_code, response.content) == (200, SONG)
    assert scans_queued() == 1


def test_a_location_scanned_before_identities_were_kept_gets_one_without_a_rehash(song, consumer, library, tmp_path):
    asset, path = song
    AssetLocation.objects.filter(asset=asset).update(device=None, inode=None)
    # Until the next scan size and time decide, as they did.
    assert consumer.get(f"/stream/{asset.pk}").status_code == 200
    assert scan(library) == "completed"
    assert ScanJob.objects.latest("pk").unchanged == 1
    location = AssetLocation.objects.get(asset=asset)
    assert (location.device, location.inode) == (os.stat(path).st_dev, os.stat(path).st_ino)
    outside = tmp_path / "outside.flac"
    outside.write_bytes(SONG)
    os.utime(outside, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns))
    os.remove(path)
    os.link(outside, path)
    assert_changed(consumer.get(f"/stream/{asset.pk}"))
