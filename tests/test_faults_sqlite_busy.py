"""SQLite busy: writers that wait out the busy timeout get a clear 503, never a 500; readers go on;
concurrent writers within the timeout all succeed; nothing is half-written.

A real engine process on its embedded SQLite database; the lock is held by another process (a
``sqlite3`` connection in ``BEGIN IMMEDIATE``), as a backup tool or a second engine would.
"""

import sqlite3
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fault_support import Engine, media_tree

pytestmark = pytest.mark.services


@pytest.fixture
def engine(tmp_path):
    engine = Engine(tmp_path / "data", DATABASE_TIMEOUT=1)
    with engine.serve():
        yield engine


def database(engine):
    return engine.env["MEDIA_ENGINE_DATA_DIR"] + "/engine.sqlite3"


class WriteLock:
    """Another process's write transaction on the engine's database, held for the ``with`` block."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *exc_info):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def profile_names(engine):
    with sqlite3.connect(database(engine)) as connection:
        return sorted(name for (name,) in connection.execute("SELECT display_name FROM library_profile WHERE is_owner = 0"))


def test_a_writer_kept_waiting_past_the_busy_timeout_gets_503_and_changes_nothing(engine):
    with WriteLock(database(engine)):
        refused = engine.request("POST", "/profiles", json={"display_name": "Alice", "role": "Consumer"})
        key_refused = engine.request("POST", "/admin/api-keys", json={"label": "blocked", "role": "Consumer"})
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "database_busy"
    assert int(refused.headers["Retry-After"]) > 0
    assert key_refused.status_code == 503, key_refused.text
    assert "key" not in key_refused.json()
    assert profile_names(engine) == []
    labels = [key["label"] for key in engine.request("GET", "/admin/api-keys").json()["results"]]
    assert "blocked" not in labels

    retried = engine.request("POST", "/profiles", json={"display_name": "Alice", "role": "Consumer"})
    assert retried.status_code == 201, retried.text
    assert profile_names(engine) == ["Alice"]


def test_readers_are_served_while_another_process_holds_the_write_lock(engine):
    # Browsing and job lists are reads, which WAL lets through. The key has never been used, so
    # the first request also tries to record its use: a write that must not fail the read.
    with WriteLock(database(engine)):
        statuses = [engine.request("GET", path).status_code for path in ("/library/works", "/profiles", "/ingestion/jobs", "/system/status")]
    assert statuses == [200, 200, 200, 200]


def test_concurrent_writers_and_a_running_scan_all_succeed_without_a_500(tmp_path):
    engine = Engine(tmp_path / "data")  # the default busy timeout
    library = tmp_path / "library"
    files = media_tree(library, albums=4, tracks=25)
    with engine.serve():
        job_id = engine.start_scan(engine.add_folder(library))
        names = [f"listener-{number:03d}" for number in range(60)]
        barrier = threading.Barrier(12)

        def create(name):
            if int(name[-3:]) < 12:
                barrier.wait()
            return engine.request("POST", "/profiles", json={"display_name": name, "role": "Consumer"}).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(create, names))
        job = engine.wait_for_job(job_id)
    assert statuses == [201] * len(names)
    assert profile_names(engine) == names
    assert (job["state"], job["added"]) == ("completed", len(files))
