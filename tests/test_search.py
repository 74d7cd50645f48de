"""``?q=`` on both databases: the same answers from SQLite (FTS5) and PostgreSQL (pg_trgm), ignoring
case and accents, and an index kept in step with every write: scans, metadata resolution, folder
deletion.

Each database gets a real engine process (``manage.py serve``) on its own data directory; the
library is scanned by that server and searched over HTTP, as a client would.
"""

import sqlite3
import time

import httpx
import pytest

from tests.media_samples import write_epub, write_mp3
from tests.servers import EngineServer, PostgresServer, engine_environment, manage

pytestmark = pytest.mark.services


class Engine:
    def __init__(self, server, key, database):
        self.server, self.key, self.database = server, key, database

    def call(self, method, path, **kwargs):
        return httpx.request(method, f"{self.server.url}{path}", headers={"X-Api-Key": self.key}, timeout=30, **kwargs)

    def titles(self, q, **params):
        response = self.call("GET", "/library/works", params={"q": q, "page_size": 100, **params})
        assert response.status_code == 200, response.text
        return sorted(work["title"] for work in response.json()["results"])

    def add_and_scan(self, path):
        folder = self.call("POST", "/settings/folders", json={"path": str(path)})
        assert folder.status_code == 201, folder.text
        self.scan(folder.json()["id"])
        return folder.json()["id"]

    def scan(self, folder_id):
        job = self.call("POST", "/ingestion/scan", json={"folder_id": folder_id}).json()
        deadline = time.monotonic() + 60
        while job["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.05)
            job = self.call("GET", f"/ingestion/jobs/{job['id']}").json()
        assert job["state"] == "completed", job
        return job

    def work_id(self, q):
        [work] = self.call("GET", "/library/works", params={"q": q}).json()["results"]
        return work["id"]

    def check_index(self):
        """SQLite: FTS5's own check that its index holds exactly what the works table holds
        (it raises "database disk image is malformed" otherwise). PostgreSQL keeps its own."""
        if self.database is not None:
            with sqlite3.connect(self.database) as connection:
                connection.execute("INSERT INTO library_work_search(library_work_search, rank) VALUES ('integrity-check', 1)")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request, tmp_path_factory):
    settings = {"RATE_GENERAL": "100000/m"}
    postgres = None
    if request.param == "postgresql":
        postgres = PostgresServer().start()
        settings["DATABASE_URL"] = postgres.url()
    try:
        data = tmp_path_factory.mktemp(f"search-{request.param}")
        env = engine_environment(data, **settings)
        manage(env, "migrate", "--no-input")
        key = manage(env, "apikey", "create", "--label", "search", "--role", "Administrator").stdout.strip()
        with EngineServer(env) as server:
            engine = Engine(server, key, None if postgres else str(data / "engine.sqlite3"))
            library = tmp_path_factory.mktemp("library")
            write_mp3(library / "1.mp3", title="Crazy in Love", artist="Beyoncé", album="Dangerously in Love", year=2003, salt=1)
            write_mp3(library / "2.mp3", title="Jóga", artist="Björk", album="Homogenic", year=1997, salt=2)
            write_mp3(library / "3.mp3", title="Losing My Religion", artist="R.E.M.", album="Out of Time", year=1991, salt=3)
            write_mp3(library / "4.mp3", title="Straße", artist="U2", album="Zooropa", year=1993, salt=4)
            write_mp3(library / "5.mp3", title='Say "Hello" (AND) NEAR*', artist="Ｍｏｂｙ", album="Play", year=1999, salt=5)
            write_epub(library / "dune.epub", title="Dune", author="Frank Herbert", date="1965", series="Dune Chronicles")
            engine.add_and_scan(library)
            yield engine
    finally:
        if postgres is not None:
            postgres.stop()


@pytest.mark.parametrize(("q", "expected"), [
    ("BEYONCE", ["Crazy in Love"]),
    ("bjork", ["Jóga"]),
    ("joga", ["Jóga"]),
    ("Björk homogénic", ["Jóga"]),
    ("herbert", ["Dune"]),
    ("chronicles", ["Dune"]),
    ("r.e.m.", ["Losing My Religion"]),
    ("nothing-like-this", []),
])
def test_the_searches_that_always_worked_give_the_same_answers(engine, q, expected):
    assert engine.titles(q) == expected


@pytest.mark.parametrize(("q", "expected"), [
    ("love", ["Crazy in Love"]),  # title and album: one work
    ("ngerous", ["Crazy in Love"]),  # inside a word, as LIKE '%term%' found it
    ("in love", ["Crazy in Love"]),
    ("u2", ["Straße"]),  # two letters: below a trigram, still found
    ("strasse", ["Straße"]),  # ß folds to ss, as casefold() writes it
    ("STRAßE", ["Straße"]),
    ("moby", ['Say "Hello" (AND) NEAR*']),  # full-width letters fold to ASCII (NFKD)
    ('"hello"', ['Say "Hello" (AND) NEAR*']),
    ("near*", ['Say "Hello" (AND) NEAR*']),
    ("(and)", ['Say "Hello" (AND) NEAR*']),
    ("NEAR", ['Say "Hello" (AND) NEAR*']),
    ("AND OR NOT", []),
    ('"', ['Say "Hello" (AND) NEAR*']),
    ("*", ['Say "Hello" (AND) NEAR*']),
    ("^dune", []),
    ("dune -herbert", []),
])
def test_words_the_index_could_misread_are_searched_as_text(engine, q, expected):
    assert engine.titles(q) == expected


def test_search_combines_with_the_kind_filter(engine):
    assert engine.titles("dune", kind="book") == ["Dune"]
    assert engine.titles("dune", kind="music") == []


def test_a_scan_makes_new_works_findable_at_once(engine, tmp_path):
    write_mp3(tmp_path / "new.mp3", title="Teardrop", artist="Massive Attack", salt="scan")
    engine.add_and_scan(tmp_path)
    assert engine.titles("massive teardrop") == ["Teardrop"]
    engine.check_index()


def test_a_locked_title_is_found_by_its_new_words_and_no_longer_by_the_old(engine, tmp_path):
    write_mp3(tmp_path / "typo.mp3", title="Unfinshed Simpathy", artist="Massive Attack", salt="lock")
    engine.add_and_scan(tmp_path)
    work = engine.work_id("simpathy")
    locked = engine.call("POST", "/metadata/lock-claim", json={"work_id": work, "field": "title", "value": "Unfinished Sympathy"})
    assert locked.status_code == 201, locked.text
    assert engine.titles("sympathy") == ["Unfinished Sympathy"]
    assert engine.titles("simpathy") == []
    engine.check_index()


def test_works_of_a_deleted_folder_are_no_longer_found(engine, tmp_path):
    write_mp3(tmp_path / "gone.mp3", title="Ephemeral Tune", artist="Nobody Known", salt="gone")
    folder = engine.add_and_scan(tmp_path)
    assert engine.titles("ephemeral") == ["Ephemeral Tune"]
    assert engine.call("DELETE", f"/settings/folders/{folder}").status_code == 204
    assert engine.titles("ephemeral") == []
    assert engine.titles("nobody known") == []
    engine.check_index()


def test_a_rescan_of_changed_tags_finds_the_new_title(engine, tmp_path):
    track = write_mp3(tmp_path / "retag.mp3", title="First Name", artist="Retagged Artist", salt="retag")
    folder = engine.add_and_scan(tmp_path)
    write_mp3(track, title="Second Name", artist="Retagged Artist", salt="retag-2")
    engine.scan(folder)
    assert engine.titles("second name") == ["Second Name"]
    engine.check_index()
