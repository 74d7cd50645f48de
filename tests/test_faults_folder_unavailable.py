"""A library folder unmounted, renamed away or made unreadable during a scan or a stream: the scan
fails cleanly and marks nothing missing, a stream in flight ends, a new stream answers 404, never
a 500, and the files are not marked missing for being out of reach.

Real engine processes; the folder is a real tmpfs that is really unmounted. Tests run as root,
whom permission bits do not stop, so the "unreadable" cases run the engine without the
capabilities that bypass them (``setpriv --bounding-set -dac_override,-dac_read_search``).
"""

import os

import httpx
import pytest

from tests.fault_support import Engine, media_tree, tmpfs, unmount, wait_for_open_file, wav_header, write_wav
from tests.servers import require_binary

pytestmark = pytest.mark.services
BIG = "a-long.wav"


def without_permission_bypass():
    """A command prefix that runs the engine as root without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH."""
    if os.geteuid() != 0:
        return []  # permission bits already apply
    return [require_binary("setpriv"), "--bounding-set", "-dac_override,-dac_read_search", "--"]


def library_tree(root):
    """A big file first in the walk, then top-level tracks and albums that come after it."""
    files = media_tree(root, albums=2, tracks=5, big=BIG, big_size=256 * 1024 * 1024)
    for number in range(5):
        write_wav(root / f"t-{number}.wav", salt=f"top-{number}")
        files.append(f"t-{number}.wav")
    return sorted(files)


def rescan_interrupted_by(engine, root, strike):
    """Scan ``root`` fully, then rescan it (the big file changed, so it is hashed again) and call
    ``strike()`` while the engine hashes it; returns the rescan's final job."""
    folder = engine.add_folder(root)
    first = engine.wait_for_job(engine.start_scan(folder))
    assert first["state"] == "completed", first
    os.utime(root / BIG, ns=(1, 1))
    job_id = engine.start_scan(folder)
    wait_for_open_file(engine.pid, root / BIG)
    strike()
    return engine.wait_for_job(job_id)


def test_folder_unmounted_during_a_scan_fails_it_and_marks_nothing_missing(tmp_path):
    engine = Engine(tmp_path / "data")
    with tmpfs(tmp_path / "library") as library, engine.serve():
        files = library_tree(library)
        job = rescan_interrupted_by(engine, library, lambda: unmount(library))
        present, missing, _ = engine.locations()
        again = engine.wait_for_job(engine.start_scan(job["folder_id"]))
        missing_after = engine.locations()[1]
    assert job["state"] == "failed", job
    assert "unavailable" in job["error"]
    assert missing == []
    assert len(present) == len(files)
    # Scanning the empty mount point afterwards refuses too, rather than marking everything missing.
    assert again["state"] == "failed"
    assert "unmounted" in again["error"]
    assert missing_after == []


def test_folder_renamed_away_during_a_scan_fails_it_and_marks_nothing_missing(tmp_path):
    engine = Engine(tmp_path / "data")
    library = tmp_path / "library"
    files = library_tree(library)
    with engine.serve():
        job = rescan_interrupted_by(engine, library, lambda: library.rename(tmp_path / "moved"))
        present, missing, _ = engine.locations()
    assert job["state"] == "failed", job
    assert missing == []
    assert len(present) == len(files)


def test_folder_made_unreadable_during_a_scan_fails_it_with_reasons_and_marks_nothing_missing(tmp_path):
    # One reader process: the walk waits for it (it takes the next file only when a reader is
    # free), so everything after the big file is met after the folder became unreadable.
    engine = Engine(tmp_path / "data", SCAN_WORKERS=1)
    library = tmp_path / "library"
    files = library_tree(library)
    with engine.serve(prefix=without_permission_bypass()):
        job = rescan_interrupted_by(engine, library, lambda: library.chmod(0))
        library.chmod(0o755)
        present, missing, _ = engine.locations()
    assert job["state"] == "failed", job
    assert job["failed"] > 0  # the files and folders it could not reach, each with its reason
    assert missing == []
    assert len(present) == len(files)


def stream_while(engine, asset_id, strike):
    """Start streaming ``asset_id``, ``strike()`` after the first chunk, read to the end."""
    with httpx.stream("GET", f"{engine.server.url}/stream/{asset_id}", headers={"X-Api-Key": engine.key}, timeout=30) as response:
        assert response.status_code == 200
        expected = int(response.headers["Content-Length"])
        chunks = response.iter_bytes()
        received = len(next(chunks))
        strike()
        try:
            for chunk in chunks:
                received += len(chunk)
        except httpx.HTTPError:
            pass  # a cut-short body is an ended stream too; the point is no hang and no 500
    return received, expected


def write_random_wav(path, size=4 * 1024 * 1024):
    """Real bytes (not a hole), so the stream has work to do after the first chunk."""
    path.write_bytes(wav_header(size) + os.urandom(size))


def big_asset(engine, root):
    engine.wait_for_job(engine.start_scan(engine.add_folder(root)))
    (work,) = [work for work in engine.works() if any(BIG in location["path"] for asset in work["assets"] for location in asset["locations"])]
    return work["assets"][0]["id"]


def test_stream_survives_an_unmount_and_the_next_request_is_404_without_marking_missing(tmp_path):
    engine = Engine(tmp_path / "data")
    with tmpfs(tmp_path / "library") as library, engine.serve():
        media_tree(library, albums=1, tracks=2)
        write_random_wav(library / BIG)
        asset_id = big_asset(engine, library)
        received, expected = stream_while(engine, asset_id, lambda: unmount(library))
        after = engine.request("GET", f"/stream/{asset_id}")
        _, missing, _ = engine.locations()
    assert received == expected
    assert after.status_code == 404
    assert after.json()["code"] == "not_found"
    assert missing == []


def test_stream_of_a_folder_made_unreadable_answers_404_without_marking_missing(tmp_path):
    engine = Engine(tmp_path / "data")
    library = tmp_path / "library"
    media_tree(library, albums=1, tracks=2)
    write_random_wav(library / BIG)
    with engine.serve(prefix=without_permission_bypass()):
        asset_id = big_asset(engine, library)
        received, expected = stream_while(engine, asset_id, lambda: library.chmod(0))
        after = engine.request("GET", f"/stream/{asset_id}")
        library.chmod(0o755)
        _, missing, _ = engine.locations()
        again = engine.request("GET", f"/stream/{asset_id}")
    assert received == expected  # the file was open before the folder closed
    assert after.status_code == 404
    assert missing == []
    assert again.status_code == 200
