"""A video's file name (and its folders) names the film or the episode; tags, when there, say more.

The table's expected values are written out by hand, as a person reads each name.
"""

import pytest

from library.ingestion.names import parse_video_path
from library.models import Work
from tests.background_tasks import scan_through_api

MATROSKA = b"\x1a\x45\xdf\xa3"

FILMS = [
    ("The Film (1999).mkv", {"title": "The Film", "year": 1999}),
    ("Title.1999.1080p.BluRay.x264-GRP.mkv", {"title": "Title", "year": 1999}),
    ("2001.A.Space.Odyssey.1968.1080p.BluRay.x264-GRP.mkv", {"title": "2001 A Space Odyssey", "year": 1968}),
    ("1917 (2019).mkv", {"title": "1917", "year": 2019}),
    ("Blade Runner 2049 (2017).mkv", {"title": "Blade Runner 2049", "year": 2017}),
    ("Amélie (2001).mkv", {"title": "Amélie", "year": 2001}),
    ("Heat [1995].mp4", {"title": "Heat", "year": 1995}),
    ("The.Matrix.1080p.WEB-DL.mkv", {"title": "The Matrix"}),
    ("Some_Film_2010_720p.mkv", {"title": "Some Film", "year": 2010}),
    ("Back to the Future Part II (1989).mkv", {"title": "Back to the Future Part II", "year": 1989}),
    ("Mad Max - Fury Road (2015).mkv", {"title": "Mad Max - Fury Road", "year": 2015}),
    ("Kill Bill Vol. 1 (2003).mkv", {"title": "Kill Bill Vol. 1", "year": 2003}),
    ("Films/Alien (1979)/Alien (1979).mkv", {"title": "Alien", "year": 1979}),
    ("Heat (1995) - Director's Cut.mkv", {"title": "Heat", "year": 1995}),
    ("Taxi Driver.mkv", {"title": "Taxi Driver"}),
]

EPISODES = [
    ("My.Show.S01E02.Pilot.mkv", {"series": "My Show", "season": 1, "episode": 2, "title": "Pilot"}),
    ("My Show - S01E02 - Pilot.mkv", {"series": "My Show", "season": 1, "episode": 2, "title": "Pilot"}),
    ("My Show 1x02 Pilot.mkv", {"series": "My Show", "season": 1, "episode": 2, "title": "Pilot"}),
    ("My.Show.S01E02.720p.HDTV.x264-GRP.mkv", {"series": "My Show", "season": 1, "episode": 2, "title": "My Show S01E02"}),
    ("show.name.s10e05.mkv", {"series": "show name", "season": 10, "episode": 5, "title": "show name S10E05"}),
    ("My Show 2x10.avi", {"series": "My Show", "season": 2, "episode": 10, "title": "My Show S02E10"}),
    ("My Show/Season 1/S01E02.mkv", {"series": "My Show", "season": 1, "episode": 2, "title": "My Show S01E02"}),
    ("Friends/Season 2/Friends - 2x05 - The One with Five Steaks and an Eggplant.mkv",
     {"series": "Friends", "season": 2, "episode": 5, "title": "The One with Five Steaks and an Eggplant"}),
    ("Sherlock.S02E01.A.Scandal.in.Belgravia.1080p.BluRay.x264-GRP.mkv",
     {"series": "Sherlock", "season": 2, "episode": 1, "title": "A Scandal in Belgravia"}),
    ("Doctor.Who.2005.S01E01.Rose.mkv", {"series": "Doctor Who", "season": 1, "episode": 1, "title": "Rose"}),
    ("The Office (US) - S01E01.mkv", {"series": "The Office (US)", "season": 1, "episode": 1, "title": "The Office (US) S01E01"}),
    ("My.Show.S01E01E02.mkv", {"series": "My Show", "season": 1, "episode": 1, "title": "My Show S01E01"}),
]


@pytest.mark.parametrize(("path", "expected"), FILMS, ids=[path for path, _ in FILMS])
def test_film_names(path, expected):
    assert parse_video_path(path) == {"kind": "film", **expected}


@pytest.mark.parametrize(("path", "expected"), EPISODES, ids=[path for path, _ in EPISODES])
def test_episode_names(path, expected):
    assert parse_video_path(path) == {"kind": "episode", **expected}


def test_a_shows_folder_reads_every_name_as_an_episode():
    assert parse_video_path("Lost/Season 1/01 - Pilot.mkv", expect="episode") == {
        "kind": "episode", "series": "Lost", "season": 1, "episode": 1, "title": "Pilot",
    }


@pytest.mark.parametrize("path", ["", "/", ".mkv", "Season 1/"])
def test_names_that_say_nothing_give_nothing(path):
    assert parse_video_path(path) == {}


def test_an_overlong_name_is_not_parsed():
    assert parse_video_path("x" * 5000 + ".mkv") == {}


def test_a_scanned_film_and_episode_are_named_by_their_file_names(local, client_as, tmp_path):
    root = tmp_path / "videos"
    root.mkdir()
    (root / "The Film (1999).mkv").write_bytes(MATROSKA + b"film")
    (root / "My.Show.S01E02.Pilot.mkv").write_bytes(MATROSKA + b"episode")
    scan_through_api(local, root)
    client = client_as("Consumer")
    works = {work["kind"]: work for work in client.get("/library/works").json()["results"]}
    film, episode = works["film"], works["show"]
    assert (film["title"], film["year"]) == ("The Film", 1999)
    assert (episode["title"], episode["series"], episode["metadata"]) == ("Pilot", "My Show", {"season": "1", "episode": "2"})
    assert [work["title"] for work in client.get("/library/works", params={"q": "my show pilot"}).json()["results"]] == ["Pilot"]


def test_file_name_claims_come_from_a_source_of_their_own(local, client_as, tmp_path):
    root = tmp_path / "videos"
    root.mkdir()
    (root / "The Film (1999).mkv").write_bytes(MATROSKA + b"film")
    scan_through_api(local, root)
    film = Work.objects.get()
    history = client_as("Consumer").get(f"/metadata/claims/{film.pk}").json()["results"]
    assert sorted((claim["field"], claim["value"], claim["source"], claim["locked"]) for claim in history) == [
        ("title", "The Film", "filename", False),
        ("year", "1999", "filename", False),
    ]
