"""Files are read (sniffed, hashed, parsed) in sandboxed worker processes: a hostile file is marked
failed with its reason within seconds, costs the server bounded memory, and the rest of its
folder is taken in. Real files, a real ``manage.py serve``, memory read from ``/proc``."""

import re
import time
from datetime import datetime

import httpx
import pytest

from tests.hostile_media import write_id3_flood_mp3, write_zip_bomb_epub
from tests.media_samples import write_epub, write_mp3
from tests.process_memory import MIB, PeakMemory
from tests.servers import EngineServer, engine_environment, manage

#: What the issue allows a hostile file: failed within this many seconds of the scan's start, and
#: this much growth of the server's memory (its own and its children's resident sets).
FAILED_WITHIN = 10.0
MEMORY_GROWTH = 256 * MIB


@pytest.fixture
def hostile_library(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    write_zip_bomb_epub(library / "bomb.epub")
    write_id3_flood_mp3(library / "flood.mp3")
    titles = set()
    for number in range(12):
        write_mp3(library / f"track {number:02}.mp3", title=f"Track {number}", artist="Band", salt=number)
        titles.add(f"Track {number}")
    for number in range(3):
        write_epub(library / f"book {number}.epub", title=f"Book {number}", author="Writer")
        titles.add(f"Book {number}")
    return library, titles


def wait_for_end(url, job_id, timeout):
    """The job once it has ended, or as it stands after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        job = httpx.get(f"{url}/ingestion/jobs/{job_id}", timeout=30).json()
        if job["state"] in ("completed", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def seconds_between(start, end):
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


def test_hostile_files_fail_alone_quickly_and_within_bounded_memory(tmp_path, hostile_library):
    library, titles = hostile_library
    env = engine_environment(tmp_path / "data", RATE_GENERAL="100000/m")
    manage(env, "migrate", "--no-input")
    with EngineServer(env) as server:
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(library)}).json()["id"]
        with PeakMemory(server.process.pid) as memory:
            job = httpx.post(f"{server.url}/ingestion/scan", json={"folder_id": folder}).json()
            job = wait_for_end(server.url, job["id"], timeout=90)
        works = httpx.get(f"{server.url}/library/works?page_size=100").json()["results"]

    assert job["state"] == "completed", f"the scan did not end: {job}"
    failures = {failure["relative_path"]: failure for failure in job["failures"]}
    assert set(failures) == {"bomb.epub", "flood.mp3"}, failures
    assert re.fullmatch(r"needed more than \d+ MiB of memory to read", failures["bomb.epub"]["reason"])
    assert re.fullmatch(r"used more than \d+ s of CPU time to read|took longer than \d+ s to read",
                        failures["flood.mp3"]["reason"])
    for name, failure in failures.items():
        assert seconds_between(job["started_at"], failure["at"]) <= FAILED_WITHIN, (name, failure, job["started_at"])
    assert memory.growth <= MEMORY_GROWTH, f"the server grew by {memory.growth / MIB:.0f} MiB"
    assert {work["title"] for work in works} == titles
    assert (job["seen"], job["added"], job["failed"]) == (17, 15, 2)
