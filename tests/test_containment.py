"""Whether a file lies inside a library root is decided once, exactly, for the scanner and the stream.

``security.paths.is_within`` folded case while ``library.streaming.files`` compared bytes, and the
scanner used the folded one: on a case-sensitive filesystem a symlink in root ``…/music`` to
``…/Music/secret.flac`` was taken in (hashed, its tags read and shown) though it lies outside
the library. One exact function now serves both; only the protected-directory check folds case
(macOS volumes usually ignore it, and ``/ETC`` there is ``/etc``).
"""

import os

import pytest

from library.models import Asset, AssetLocation, ScanFailure
from security.paths import PathRefused, check_location, is_within
from tests.streaming_fixtures import flac, make_root, scan

SECRET = flac(b"a file outside the library" * 50)


@pytest.fixture
def srv(db, tmp_path):
    inside = tmp_path / "srv" / "music"
    outside = tmp_path / "srv" / "Music"
    outside.mkdir(parents=True)
    (outside / "secret.flac").write_bytes(SECRET)
    if os.path.exists(tmp_path / "srv" / "MUSIC"):
        pytest.skip("SKIPPED LOUDLY: this filesystem folds case; the test needs a case-sensitive one.")
    return make_root(inside), outside


def test_a_symlink_into_a_directory_differing_only_in_case_is_not_taken_in(srv):
    root, outside = srv
    os.symlink(outside / "secret.flac", os.path.join(root.path, "linked.flac"))
    scan(root)
    assert not AssetLocation.objects.filter(root=root).exists()
    assert not Asset.objects.exists()
    [failure] = ScanFailure.objects.all()
    assert (failure.relative_path, failure.reason) == ("linked.flac", "symbolic link leads outside the library root")


def test_a_symlink_to_a_sibling_whose_name_extends_the_root_is_not_taken_in(db, tmp_path):
    root = make_root(tmp_path / "music")
    sibling = tmp_path / "music2"
    sibling.mkdir()
    (sibling / "secret.flac").write_bytes(SECRET)
    os.symlink(sibling / "secret.flac", os.path.join(root.path, "linked.flac"))
    scan(root)
    assert not Asset.objects.exists()


def test_a_symlink_inside_the_root_is_still_taken_in(db, tmp_path):
    root = make_root(tmp_path / "music")
    os.makedirs(os.path.join(root.path, "Albums"))
    with open(os.path.join(root.path, "Albums", "song.flac"), "wb") as handle:
        handle.write(SECRET)
    os.symlink(os.path.join(root.path, "Albums", "song.flac"), os.path.join(root.path, "favourite.flac"))
    scan(root)
    assert AssetLocation.objects.filter(root=root).count() == 2


@pytest.mark.parametrize(
    "path, parent, inside",
    [
        ("/srv/Music/a.flac", "/srv/music", False),
        ("/srv/music/a.flac", "/srv/music", True),
        ("/srv/music", "/srv/music/", True),
        ("/srv/music2/a.flac", "/srv/music", False),
        (b"/srv/music/\xff.flac", b"/srv/music", True),
        (b"/srv/MUSIC/\xff.flac", "/srv/music", False),
        ("/anything", "/", True),
    ],
)
def test_containment_is_exact_for_text_and_bytes(path, parent, inside):
    assert is_within(path, parent) is inside


@pytest.mark.parametrize("path", ["/ETC", "/Etc/ssl", "/USR/lib", "/proc/Self"])
def test_the_protected_directory_check_still_ignores_case(path):
    with pytest.raises(PathRefused) as refused:
        check_location(path)
    assert refused.value.code == "protected_path"
