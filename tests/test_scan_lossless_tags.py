"""ID3 tags inside WAV, AIFF and DSF files title their works, so searches for the real titles find them.

mutagen's "easy" interface maps ID3 only for MP3; these containers keep ID3 in a chunk of their
own, which taggers (Mp3tag, foobar2000, dBpoweramp) write and players read.
"""

import pytest

from tests.background_tasks import scan_through_api
from tests.media_samples import tag_id3, write_aiff, write_dsf, write_mp3, write_wav


@pytest.fixture
def lossless(local, tmp_path):
    root = tmp_path / "lossless"
    root.mkdir()
    tag_id3(write_wav(root / "track01.wav", salt="w"), title="Teardrop", artist="Massive Attack", album="Mezzanine", year=1998, track="3/11")
    tag_id3(write_aiff(root / "track02.aiff", salt="a"), title="Hyperballad", artist="Björk", album="Post", year=1995, track="4")
    tag_id3(write_dsf(root / "track03.dsf", salt="d"), title="So What", artist="Miles Davis", album="Kind of Blue", year=1959, track="1")
    write_wav(root / "untagged.wav", salt="u")
    return scan_through_api(local, root, "music")


def search(client, text):
    response = client.get("/library/works", params={"q": text})
    assert response.status_code == 200, response.json()
    return [(work["title"], work["artist"], work["album"], work["year"]) for work in response.json()["results"]]


def test_wav_aiff_and_dsf_works_are_titled_by_their_id3_tags(client_as, lossless):
    works = client_as("Consumer").get("/library/works", params={"ordering": "title"}).json()["results"]
    assert [(work["title"], work["artist"], work["album"], work["year"], work["assets"][0]["mime_type"]) for work in works] == [
        ("Hyperballad", "Björk", "Post", 1995, "audio/aiff"),
        ("So What", "Miles Davis", "Kind of Blue", 1959, "audio/dsf"),
        ("Teardrop", "Massive Attack", "Mezzanine", 1998, "audio/wav"),
        ("untagged", "", "", None, "audio/wav"),
    ]


def test_searches_for_the_real_titles_find_them(client_as, lossless):
    client = client_as("Consumer")
    assert search(client, "teardrop") == [("Teardrop", "Massive Attack", "Mezzanine", 1998)]
    assert search(client, "bjork hyperballad") == [("Hyperballad", "Björk", "Post", 1995)]
    assert search(client, "kind of blue") == [("So What", "Miles Davis", "Kind of Blue", 1959)]
    assert search(client, "track01") == []


def test_track_numbers_are_read_also_when_written_with_the_total(client_as, lossless):
    client = client_as("Consumer")
    tracks = {work["title"]: work["metadata"].get("track") for work in client.get("/library/works").json()["results"]}
    assert tracks == {"Teardrop": "3", "Hyperballad": "4", "So What": "1", "untagged": None}


def test_dsf_duration_comes_from_its_format_chunk(client_as, lossless):
    client = client_as("Consumer")
    [work] = client.get("/library/works", params={"q": "so what"}).json()["results"]
    assert work["assets"][0]["duration"] == pytest.approx(1.0)


def test_mp3_tags_are_read_as_before(client_as, local, tmp_path):
    root = tmp_path / "mp3"
    root.mkdir()
    write_mp3(root / "x.mp3", title="Unfinished Sympathy", artist="Massive Attack", album="Blue Lines", year=1991, salt="m")
    scan_through_api(local, root)
    assert search(client_as("Consumer"), "sympathy") == [("Unfinished Sympathy", "Massive Attack", "Blue Lines", 1991)]
