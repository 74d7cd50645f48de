"""A stream opens only a file whose real path lies inside an enabled library root, at request time."""

import os

import pytest

from library.models import AssetLocation
from library.streaming.files import open_without_symlinks
from tests.streaming_fixtures import add_file, flac, make_root, matroska, scan

CONTENT = matroska(b"the real film" * 100)
SONG = flac(b"the real song" * 100)


@pytest.fixture
def consumer(client_as):
    return client_as("Consumer")


@pytest.fixture
def library(db, tmp_path):
    return make_root(tmp_path / "library")


@pytest.fixture
def secret_file(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "shadow"
    path.write_bytes(b"root:secret-hash:19000")
    return path


def assert_not_found_without_paths(response, tmp_path):
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "code": "not_found"}
    assert str(tmp_path).encode() not in response.content


def test_file_inside_enabled_root_is_served(library, consumer):
    asset = add_file(library, "Films/film.mkv", CONTENT)
    assert consumer.get(f"/stream/{asset.pk}").content == CONTENT


def test_symlink_swapped_in_after_scan_is_refused(library, consumer, secret_file, tmp_path):
    asset = add_file(library, "Films/film.mkv", CONTENT)
    path = os.path.join(library.path, "Films/film.mkv")
    os.remove(path)
    os.symlink(secret_file, path)
    response = consumer.get(f"/stream/{asset.pk}")
    assert_not_found_without_paths(response, tmp_path)
    assert b"secret-hash" not in response.content
    assert AssetLocation.objects.get(asset=asset).missing_since is None


def test_directory_swapped_for_symlink_is_refused(library, consumer, secret_file, tmp_path):
    asset = add_file(library, "Films/shadow", CONTENT)
    films = os.path.join(library.path, "Films")
    os.rename(films, os.path.join(library.path, "Films.old"))
    os.symlink(secret_file.parent, films)
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_symlink_swapped_in_to_a_file_elsewhere_in_the_library_is_contained_but_not_served(library, consumer, tmp_path):
    other = make_root(tmp_path / "other")
    (tmp_path / "other" / "real.mkv").write_bytes(matroska(b"elsewhere in the library"))
    asset = add_file(library, "Films/film.mkv", CONTENT)
    path = os.path.join(library.path, "Films/film.mkv")
    os.remove(path)
    os.symlink(os.path.join(other.path, "real.mkv"), path)
    # Inside an enabled root, but not the file the scan took in (tests/test_streaming_swapped_file.py).
    assert consumer.get(f"/stream/{asset.pk}").json()["code"] == "asset_changed"
    other.enabled = False
    other.save()
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_disabled_root_is_refused(library, consumer, tmp_path):
    asset = add_file(library, "song.flac", SONG)
    library.enabled = False
    library.save()
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_removed_root_is_refused(library, consumer, tmp_path):
    asset = add_file(library, "song.flac", SONG)
    library.delete()
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_root_directory_gone_from_disk_is_refused_without_marking_files_missing(library, consumer, tmp_path):
    asset = add_file(library, "song.flac", SONG)
    os.rename(library.path, str(tmp_path / "unmounted"))
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)
    assert AssetLocation.objects.get(asset=asset).missing_since is None


def test_vanished_file_is_refused_and_marked_missing(library, consumer, tmp_path):
    asset = add_file(library, "Films/film.mkv", CONTENT)
    os.remove(os.path.join(library.path, "Films/film.mkv"))
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)
    assert AssetLocation.objects.get(asset=asset).missing_since is not None


def test_first_usable_location_is_served(library, consumer, tmp_path):
    asset = add_file(library, "a/film.mkv", CONTENT)
    second = make_root(tmp_path / "second")
    (tmp_path / "second" / "copy.mkv").write_bytes(CONTENT)
    scan(second)  # the same content: a second location of the same asset
    os.remove(os.path.join(library.path, "a/film.mkv"))
    response = consumer.get(f"/stream/{asset.pk}")
    assert response.status_code == 200
    assert response.content == CONTENT
    assert 'filename="copy.mkv"' in response.headers["content-disposition"]


def test_recorded_path_escaping_the_root_is_refused(library, consumer, secret_file, tmp_path):
    asset = add_file(library, "film.mkv", CONTENT)
    AssetLocation.objects.filter(asset=asset).update(raw_path=b"../outside/shadow", relative_path="../outside/shadow")
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_fifo_in_the_library_is_refused_without_hanging(library, consumer, tmp_path):
    asset = add_file(library, "film.mkv", CONTENT)
    path = os.path.join(library.path, "film.mkv")
    os.remove(path)
    os.mkfifo(path)
    assert_not_found_without_paths(consumer.get(f"/stream/{asset.pk}"), tmp_path)


def test_opening_follows_no_symlink_in_any_component(tmp_path):
    # What closes the race between the containment check and the open: the checked real path
    # is opened from "/" one component at a time, and a symlink anywhere makes the open fail.
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "file").write_bytes(b"x")
    os.symlink(tmp_path / "real", tmp_path / "link")
    fd = open_without_symlinks(os.fsencode(tmp_path / "real" / "file"))
    os.close(fd)
    with pytest.raises(OSError):
        open_without_symlinks(os.fsencode(tmp_path / "link" / "file"))
    os.symlink(tmp_path / "real" / "file", tmp_path / "real" / "alias")
    with pytest.raises(OSError):
        open_without_symlinks(os.fsencode(tmp_path / "real" / "alias"))
