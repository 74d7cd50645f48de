"""Scanning through a running server: from ``POST /ingestion/scan`` to the job's completion.

Every figure is measured in one run against a baseline of the same run:

1. **First scan / sha256sum.** Tree A is the issue's library: 2,000 tagged WAVs (~100 KB) and
   3 videos of 600 MB, ~2 GB. ``sha256sum`` (one process, as a user would run it) and the
   engine's first scan each read it from a cold cache: ``echo 3 > /proc/sys/vm/drop_caches``
   before each, or, where that is not permitted, every file's cached pages dropped with
   ``posix_fadvise(POSIX_FADV_DONTNEED)`` (the report says which). Goal: sha256sum's time /
   the scan's ≥ 1.0.
2. **Rescan / first scan** of tree B, 10,000 small tagged MP3s (``BENCH_SCAN_FILES``), the
   rescan finding them unchanged. Goal ≤ 0.02.
3. **Rescan start delay behind a full look-up backlog**: each first scan queues a look-up per
   track (2,000 and 10,000 of them), against a MusicBrainz that never answers (tree A's server)
   and one that cannot be reached (tree B's); the rescan's ``started_at - created_at``, as
   ``GET /ingestion/jobs/{id}`` shows it. Goal ≤ 1 s.
4. **Hostile files**: a ~1 MB EPUB whose zip entry inflates to 1 GiB and a ~15 MB MP3 with
   800,000 ID3 frames, in a folder with good files: each one's seconds from the scan's start
   to its failure, and the server's memory growth (its own and its children's resident sets).
   Goals: ≤ 10 s each, ≤ 256 MiB.

The servers are ``manage.py serve`` with their embedded task workers, as ``make run`` starts
them. Trees go to ``BENCH_SCAN_DIR`` (default: the system's temporary folder).
"""

import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

from bench.support import report
from tests.fault_support import wav_header
from tests.hostile_media import write_id3_flood_mp3, write_zip_bomb_epub
from tests.media_samples import write_epub, write_mp3
from tests.process_memory import MIB, PeakMemory
from tests.provider_fakes import FakeProvider, Reply
from tests.servers import EngineServer, engine_environment, migrate

WAVS = 2000
WAV_BYTES = 100_000
VIDEOS = 3
VIDEO_SIZE = 600 * 1024 * 1024
SMALL_IN_B = int(os.environ.get("BENCH_SCAN_FILES", "10000"))
UNREACHABLE = "http://127.0.0.1:9/ws/2"


def _write_video(path, number):
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        handle.write(b"\x1a\x45\xdf\xa3" + number.to_bytes(4, "big") + block[8:])
        for _ in range(VIDEO_SIZE // len(block) - 1):
            handle.write(block)


def _write_tagged_wav(path, number):
    from mutagen.id3 import TALB, TIT2, TPE1
    from mutagen.wave import WAVE

    samples = os.urandom(WAV_BYTES)
    path.write_bytes(wav_header(len(samples)) + samples)
    wave = WAVE(path)
    wave.add_tags()
    for frame, text in ((TIT2, f"Song {number}"), (TPE1, f"Artist {number % 50}"), (TALB, f"Album {number // 20}")):
        wave.tags.add(frame(encoding=3, text=text))
    wave.save()


def build_tree_a(base):
    tree = base / "a"
    (tree / "films").mkdir(parents=True)
    for number in range(VIDEOS):
        _write_video(tree / "films" / f"film {number}.mkv", number)
    for number in range(WAVS):
        directory = tree / "music" / f"album {number // 20:03}"
        directory.mkdir(parents=True, exist_ok=True)
        _write_tagged_wav(directory / f"{number:04} song.wav", number)
    return tree


def build_tree_b(base):
    tree = base / "b"
    for number in range(SMALL_IN_B):
        directory = tree / f"album {number // 100:03}"
        directory.mkdir(parents=True, exist_ok=True)
        write_mp3(directory / f"{number:05}.mp3", title=f"Track {number}", artist=f"Artist {number % 97}",
                  album=f"Album {number // 100}", year=1990 + number % 30, frames=2, salt=f"b{number}")
    return tree


def build_hostile(base):
    tree = base / "hostile"
    tree.mkdir()
    write_zip_bomb_epub(tree / "bomb.epub")
    write_id3_flood_mp3(tree / "flood.mp3")
    for number in range(20):
        write_mp3(tree / f"good {number:02}.mp3", title=f"Good {number}", salt=f"good{number}")
    for number in range(3):
        write_epub(tree / f"book {number}.epub", title=f"Book {number}", author="Writer")
    return tree


def files_of(tree):
    return [path for path in sorted(tree.rglob("*")) if path.is_file()]


def make_cold(tree):
    """Drop the page cache (all of it when permitted, else this tree's pages); says which."""
    subprocess.run(["sync"], check=True)
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return "drop_caches"
    except OSError:
        for path in files_of(tree):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
        return "posix_fadvise(DONTNEED) per file"


def sha256sum(tree):
    files = [str(path) for path in files_of(tree)]
    started = time.perf_counter()
    subprocess.run(["xargs", "-0", "sha256sum", "--"], input="\0".join(files).encode(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def seconds_between(start, end):
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()


class Engine:
    """A migrated data directory and ``manage.py serve`` on it, driven over HTTP (localhost bypass)."""

    def __init__(self, data_dir, **settings):
        self.env = engine_environment(data_dir, LOG_LEVEL="WARNING", RATE_GENERAL="1000000/m", **settings)
        migrate(self.env)
        self.server = EngineServer(self.env)
        self.client = None

    def __enter__(self):
        self.server.start()
        self.client = httpx.Client(base_url=self.server.url, timeout=120)
        return self

    def __exit__(self, *exc_info):
        self.client.close()
        self.server.stop()

    def add_folder(self, path):
        created = self.client.post("/settings/folders", json={"path": str(path)})
        assert created.status_code == 201, created.text
        return created.json()["id"]

    def scan(self, folder_id):
        """``(seconds from the POST to completion, job)``."""
        started = time.perf_counter()
        response = self.client.post("/ingestion/scan", json={"folder_id": folder_id})
        assert response.status_code == 202, response.text
        job = response.json()
        while job["state"] in ("queued", "running"):
            time.sleep(0.05)
            job = self.client.get(f"/ingestion/jobs/{job['id']}").json()
        elapsed = time.perf_counter() - started
        assert job["state"] == "completed", job
        return elapsed, job


def start_delay(job):
    return seconds_between(job["created_at"], job["started_at"])


def first_scan_against_sha256sum(base, hanging_url):
    tree = build_tree_a(base)
    how = make_cold(tree)
    baseline = sha256sum(tree)
    with Engine(base / "data-a", MUSICBRAINZ_URL=hanging_url) as engine:
        folder = engine.add_folder(tree)
        make_cold(tree)
        first, job = engine.scan(folder)
        report(f"tree A ({job['added']} files, ~2 GB, cold cache: {how}): sha256sum seconds", baseline, " s")
        report("tree A first scan seconds (POST to completion)", first, " s")
        report("first scan: sha256sum time / scan time", baseline / first, goal="≥ 1.0")
        _, again = engine.scan(folder)
        report(f"rescan start delay, {job['added'] - VIDEOS:,} look-ups queued, MusicBrainz hanging", start_delay(again), " s", goal="≤ 1.0")
        hostile_files(engine, build_hostile(base))


def rescan_against_first_scan(base):
    tree = build_tree_b(base)
    with Engine(base / "data-b", MUSICBRAINZ_URL=UNREACHABLE) as engine:
        folder = engine.add_folder(tree)
        first, job = engine.scan(folder)
        rescan, again = engine.scan(folder)
        assert again["unchanged"] == SMALL_IN_B, again
        report(f"tree B first scan seconds ({job['added']:,} files)", first, " s")
        report(f"tree B rescan seconds ({again['unchanged']:,} unchanged)", rescan, " s")
        report(f"rescan of {SMALL_IN_B:,} unchanged / first scan", rescan / first, goal="≤ 0.02")
        report(f"rescan start delay, {job['added']:,} look-ups queued, MusicBrainz unreachable", start_delay(again), " s", goal="≤ 1.0")


def hostile_files(engine, tree):
    folder = engine.add_folder(tree)
    with PeakMemory(engine.server.process.pid) as memory:
        _, job = engine.scan(folder)
    job = engine.client.get(f"/ingestion/jobs/{job['id']}").json()
    for failure in job["failures"]:
        report(f"hostile {failure['relative_path']}: seconds to failure ({failure['reason']})",
               seconds_between(job["started_at"], failure["at"]), " s", goal="≤ 10")
    report("hostile folder: server memory growth (own + children RSS)", memory.growth / MIB, " MiB", goal="≤ 256")
    report(f"hostile folder: other files taken in (of {len(files_of(tree)) - 2})", job["added"])


def main():
    base = Path(tempfile.mkdtemp(prefix="bench-scan-", dir=os.environ.get("BENCH_SCAN_DIR")))
    hanging = FakeProvider()
    hanging.route("/ws/2/recording", Reply(200, {"recordings": []}, delay=3600))
    try:
        print(f"building trees in {base} …", flush=True)
        first_scan_against_sha256sum(base, hanging.url + "/ws/2")
        rescan_against_first_scan(base)
    finally:
        hanging.close()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
