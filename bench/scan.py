"""Scanning: the engine's first scan against ``sha256sum`` over the same files, and a rescan of
10,000 unchanged files against their first scan.

Tree A (~1.3 GB): 12 large "video" files (a Matroska signature, then filler) and 300 real MP3s
tagged with mutagen. Both the engine and ``sha256sum`` read it from the page cache (one warm-up
``sha256sum`` first), so the ratio compares hashing and bookkeeping, not the disk.
Tree B: 10,000 small tagged MP3s, scanned once, then rescanned unchanged (no file is re-read).

Goals: sha256sum time / first scan time ≥ 0.8; rescan time / first scan time ≤ 0.05.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench.support import report, setup_django

LARGE_FILES = 12
LARGE_SIZE = 100 * 1024 * 1024
SMALL_IN_A = 300
SMALL_IN_B = 10_000


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


def _scan(folder):
    from library.ingestion import services

    job = services.start_foreground_scan(folder)
    started = time.perf_counter()
    state = services.run_job(job.pk)
    elapsed = time.perf_counter() - started
    assert state == "completed", state
    job.refresh_from_db()
    return elapsed, job


def main():
    setup_django()
    from library.models import LibraryRoot

    base = Path(tempfile.mkdtemp(prefix="bench-scan-", dir=os.environ.get("BENCH_SCAN_DIR")))
    try:
        print(f"building trees in {base} …", flush=True)
        tree_a, tree_b = _build(base)
        _sha256sum(tree_a)  # warm the page cache for both contenders
        baseline = _sha256sum(tree_a)
        first_a, job_a = _scan(LibraryRoot.objects.create(path=str(tree_a)))
        report("tree A sha256sum seconds", baseline, " s")
        report(f"tree A first scan seconds ({job_a.added} files)", first_a, " s")
        report("first scan: sha256sum time / scan time", baseline / first_a, goal="≥ 0.8")

        folder_b = LibraryRoot.objects.create(path=str(tree_b))
        first_b, job_b = _scan(folder_b)
        rescan_b, again = _scan(folder_b)
        assert again.unchanged == SMALL_IN_B, again.unchanged
        report(f"tree B first scan seconds ({job_b.added} files)", first_b, " s")
        report(f"tree B rescan seconds ({again.unchanged} unchanged)", rescan_b, " s")
        report("rescan of 10,000 unchanged / first scan", rescan_b / first_b, goal="≤ 0.05")
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
