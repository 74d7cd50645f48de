"""Scanning through a running server: from ``POST /ingestion/scan`` to the job's completion, so the
wait in the task queue (provider look-ups queued by the previous scan run first) is in the figure.

Tree A (~1.3 GB): 12 large "video" files (a Matroska signature, then filler) and 300 real MP3s
tagged with mutagen; its first scan is compared with ``sha256sum`` over the same files, both
reading from the page cache (one warm-up ``sha256sum`` first), so the ratio compares hashing and
bookkeeping, not the disk. Tree B: 10,000 small tagged MP3s (``BENCH_SCAN_FILES``), scanned once,
then rescanned unchanged (no file is re-read). The server is ``manage.py serve`` with its
in-process task worker, as ``make run`` starts it; each figure is also split into the queue wait
and the job's own run (its ``started_at`` to ``finished_at``).

Goals: sha256sum time / first scan time ≥ 0.8; rescan time / first scan time ≤ 0.05.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from datetime import datetime

import httpx

from bench.support import report
from tests.servers import EngineServer, engine_environment, migrate

LARGE_FILES = 12
LARGE_SIZE = 100 * 1024 * 1024
SMALL_IN_A = 300
SMALL_IN_B = int(os.environ.get("BENCH_SCAN_FILES", "10000"))


def _write_large(path, number):
    block = os.urandom(1024 * 1024)
    with open(path, "wb") as handle:
        handle.write(b"\x1a\x45\xdf\xa3" + number.to_bytes(4, "big") + block[8:])
        for _ in range(LARGE_SIZE // len(block) - 1):
            handle.write(block)


def _build(base):
    from tests.media_samples import write_mp3

    tree_a, tree_b = base / "a", base / "b"
    (tree_a / "films").mkdir(parents=True)
    (tree_a / "music").mkdir()
    for number in range(LARGE_FILES):
        _write_large(tree_a / "films" / f"film {number:02}.mkv", number)
    for number in range(SMALL_IN_A):
        write_mp3(tree_a / "music" / f"{number:04}.mp3", title=f"Song {number}", artist="Bench", album="A", salt=number)
    for number in range(SMALL_IN_B):
        directory = tree_b / f"album {number // 100:03}"
        directory.mkdir(parents=True, exist_ok=True)
        write_mp3(directory / f"{number:05}.mp3", title=f"Track {number}", artist=f"Artist {number % 97}",
                  album=f"Album {number // 100}", year=1990 + number % 30, frames=2, salt=f"b{number}")
    return tree_a, tree_b


def _sha256sum(tree):
    files = [str(path) for path in sorted(tree.rglob("*")) if path.is_file()]
    started = time.perf_counter()
    subprocess.run(["xargs", "-0", "sha256sum", "--"], input="\0".join(files).encode(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


class Scans:
    """Scans started over HTTP through the localhost bypass of a running engine."""

    def __init__(self, server):
        self.client = httpx.Client(base_url=server.url, timeout=120)

    def add_folder(self, path):
        created = self.client.post("/settings/folders", json={"path": str(path)})
        assert created.status_code == 201, created.text
        return created.json()["id"]

    def scan(self, folder_id):
        """``(seconds from the POST to completion, seconds the job itself ran, job)``."""
        started = time.perf_counter()
        response = self.client.post("/ingestion/scan", json={"folder_id": folder_id})
        assert response.status_code == 202, response.text
        job = response.json()
        while job["state"] in ("queued", "running"):
            time.sleep(0.05)
            job = self.client.get(f"/ingestion/jobs/{job['id']}").json()
        elapsed = time.perf_counter() - started
        assert job["state"] == "completed", job
        ran = (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["started_at"])).total_seconds()
        return elapsed, ran, job


def _report_scan(label, elapsed, ran):
    report(f"{label}: POST to completion seconds", elapsed, " s")
    report(f"{label}: of which waiting in the queue", elapsed - ran, " s")


def main():
    base = Path(tempfile.mkdtemp(prefix="bench-scan-", dir=os.environ.get("BENCH_SCAN_DIR")))
    try:
        print(f"building trees in {base} …", flush=True)
        tree_a, tree_b = _build(base)
        _sha256sum(tree_a)  # warm the page cache for both contenders
        baseline = _sha256sum(tree_a)
        env = engine_environment(base / "data", LOG_LEVEL="WARNING", RATE_GENERAL="1000000/m")
        migrate(env)
        with EngineServer(env) as server:
            scans = Scans(server)
            first_a, ran_a, job_a = scans.scan(scans.add_folder(tree_a))
            report("tree A sha256sum seconds", baseline, " s")
            _report_scan(f"tree A first scan ({job_a['added']} files)", first_a, ran_a)
            report("first scan: sha256sum time / scan time", baseline / first_a, goal="≥ 0.8")

            folder_b = scans.add_folder(tree_b)
            first_b, ran_b, job_b = scans.scan(folder_b)
            rescan_b, rescan_ran, again = scans.scan(folder_b)
            assert again["unchanged"] == SMALL_IN_B, again
            _report_scan(f"tree B first scan ({job_b['added']} files)", first_b, ran_b)
            _report_scan(f"tree B rescan ({again['unchanged']} unchanged)", rescan_b, rescan_ran)
            report(f"rescan of {SMALL_IN_B:,} unchanged / first scan", rescan_b / first_b, goal="≤ 0.05")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
