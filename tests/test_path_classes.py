"""Classes of names the path validator let through, each refused with its own ``code`` on both
folder endpoints.

A library folder is often a share that Windows clients, SMB servers or WSL also open, and names
that mean something else there must not get in: reserved device names (``CON``, ``NUL.mp3``,
``COM¹``, ``CONIN$``), NTFS alternate-data-stream syntax (``music::$DATA``), Unicode
bidirectional controls that make a name display as another (``\u202e``), and dots separated only
by invisible or control characters, which a layer that drops them reads as ``..``.
"""

import pytest

from library.models import LibraryRoot

CASES = [
    # Windows reserved device names: bare, with extensions, superscript digits, console devices.
    ("{base}/CON", "windows_device_name"),
    ("{base}/con", "windows_device_name"),
    ("{base}/NUL.mp3", "windows_device_name"),
    ("{base}/nul.tar.gz", "windows_device_name"),
    ("{base}/aux.", "windows_device_name"),
    ("{base}/PRN ", "windows_device_name"),
    ("{base}/COM1", "windows_device_name"),
    ("{base}/com9.flac", "windows_device_name"),
    ("{base}/LPT3/album", "windows_device_name"),
    ("{base}/COM¹", "windows_device_name"),
    ("{base}/lpt².txt", "windows_device_name"),
    ("{base}/COM³", "windows_device_name"),
    ("{base}/CONIN$", "windows_device_name"),
    ("{base}/conout$.log", "windows_device_name"),
    ("{base}/CLOCK$", "windows_device_name"),
    ("{base}/NUL.mp3 collection", "windows_device_name"),
    # NTFS alternate data streams.
    ("{base}/music::$DATA", "alternate_data_stream"),
    ("{base}/album:hidden:$DATA", "alternate_data_stream"),
    ("{base}/folder::$INDEX_ALLOCATION", "alternate_data_stream"),
    ("{base}/x:$I30:$INDEX_ALLOCATION", "alternate_data_stream"),
    ("{base}/song.flac:Zone.Identifier", "alternate_data_stream"),
    # Bidirectional controls.
    ("{base}/evil\u202egalf.mp3", "bidi_control"),
    ("{base}/\u202dleft", "bidi_control"),
    ("{base}/a\u2066b\u2069", "bidi_control"),
    ("{base}/\u200fright", "bidi_control"),
    ("{base}/\u061carabic", "bidi_control"),
    ("{base}/%e2%80%ae", "bidi_control"),
    # Dots separated by nothing visible.
    ("{base}/.\u200b./etc", "disguised_dot_segment"),
    ("{base}/.\u00ad./x", "disguised_dot_segment"),
    ("{base}/.\ufeff.", "disguised_dot_segment"),
    ("{base}/.%00./x", "disguised_dot_segment"),
    ("{base}/.%07./x", "disguised_dot_segment"),
    ("{base}/.%e2%80%8b./x", "disguised_dot_segment"),
    ("{base}/.%7f.", "disguised_dot_segment"),
]

#: Names that look near a class but are not in it.
ALLOWED = [
    "Artist: Live at Wembley", "CONTROL", "console", "com10", "lpt0x", "NULL", "AUXILIARY.flac",
    "Ratio 2:1", "a.b.c", "..hidden", "...And Justice for All", "شادي", "עברית",
]


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


@pytest.mark.parametrize("endpoint", ["/settings/folders", "/settings/test-path"])
@pytest.mark.parametrize("payload, code", CASES)
def test_each_class_is_refused_with_its_own_code(local, tmp_path, endpoint, payload, code):
    response = local.post(endpoint, json={"path": payload.format(base=tmp_path)})
    assert (response.status_code, response.json()["code"]) == (400, code), response.json()
    assert LibraryRoot.objects.count() == 0


def test_a_folder_cannot_be_moved_onto_a_refused_name(local, tmp_path):
    (tmp_path / "music").mkdir()
    folder = local.post("/settings/folders", json={"path": str(tmp_path / "music")}).json()
    response = local.put(f"/settings/folders/{folder['id']}", json={"path": f"{tmp_path}/NUL.mp3"})
    assert (response.status_code, response.json()["code"]) == (400, "windows_device_name")


@pytest.mark.parametrize("name", ALLOWED)
def test_names_next_to_a_class_are_accepted(local, tmp_path, name):
    (tmp_path / name).mkdir()
    response = local.post("/settings/folders", json={"path": str(tmp_path / name)})
    assert response.status_code == 201, response.json()
