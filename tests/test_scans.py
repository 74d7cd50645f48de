"""Scans: queued through the task backend and run by the worker; assets, works and embedded claims
from real files; unchanged files not re-hashed; missing files marked; hostile trees survived."""

import io
import os
import threading
import time

import httpx
import pytest
from django.core.management import call_command

from library.ingestion.services import recover_interrupted_scans
from library.models import Asset, AssetLocation, Claim, ScanJob, ScanState, Work
from tests.background_tasks import run_pending_tasks
from tests.media_samples import write_epub, write_mp3
from tests.servers import EngineServer, engine_environment, manage, migrate


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


@pytest.fixture
def music(tmp_path):
    root = tmp_path / "music"
    (root / "R.E.M" / "Out of Time").mkdir(parents=True)
    write_mp3(root / "R.E.M" / "Out of Time" / "01 Losing My Religion.mp3",
              title="Losing My Religion", artist="R.E.M.", album="Out of Time", year=1991, salt=1)
    write_mp3(root / "R.E.M" / "Out of Time" / "02 Shiny Happy People.mp3",
              title="Shiny Happy People", artist="R.E.M.", album="Out of Time", year=1991, salt=2)
    (root / "Books").mkdir()
    write_epub(root / "Books" / "dune.epub", title="Dune", author="Frank Herbert", date="1965", series="Dune")
    (root / "cover.jpg").write_bytes(b"\xff\xd8\xff not media")
    return root


def add_folder(client, path, media_kind="mixed"):
    response = client.post("/settings/folders", json={"path": str(path), "media_kind": media_kind})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def scan(client, folder_id):
    response = client.post("/ingestion/scan", json={"folder_id": folder_id})
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "queued"
    assert run_pending_tasks() >= 1
    return client.get(f"/ingestion/jobs/{response.json()['id']}").json()


def test_a_scan_is_queued_as_a_task_and_the_worker_takes_in_tagged_files(local, music):
    folder = add_folder(local, music)
    job = scan(local, folder)
    assert job["state"] == "completed"
    assert (job["seen"], job["added"], job["failed"], job["missing"]) == (3, 3, 0, 0)
    song = Work.objects.get(title="Losing My Religion")
    assert (song.kind, song.artist, song.album, song.year) == ("music", "R.E.M.", "Out of Time", 1991)
    asset = song.assets.get()
    assert asset.mime_type == "audio/mpeg" and asset.duration == pytest.approx(1.04, abs=0.05)
    location = asset.locations.get()
    assert bytes(location.raw_path) == b"R.E.M/Out of Time/01 Losing My Religion.mp3"
    book = Work.objects.get(kind="book")
    assert (book.title, book.author, book.series, book.year) == ("Dune", "Frank Herbert", "Dune", 1965)
    assert book.metadata["language"] == "en"


def test_embedded_values_are_recorded_as_unlocked_claims_from_the_scan(local, music):
    scan(local, add_folder(local, music))
    song = Work.objects.get(title="Losing My Religion")
    claims = {claim.field: claim for claim in Claim.objects.filter(work=song)}
    assert claims["artist"].value == "R.E.M."
    assert {(c.source, c.locked, c.claimed_by) for c in claims.values()} == {("embedded", False, "scan")}
    assert all(0 < c.confidence < 1 for c in claims.values())


def test_identical_content_is_one_asset_with_two_locations(local, tmp_path):
    root = tmp_path / "dupes"
    root.mkdir()
    write_mp3(root / "a.mp3", title="Same", salt="x")
    (root / "copy").mkdir()
    (root / "copy" / "b.mp3").write_bytes((root / "a.mp3").read_bytes())
    job = scan(local, add_folder(local, root))
    assert job["added"] == 2
    assert Asset.objects.count() == 1 and Work.objects.count() == 1
    assert AssetLocation.objects.count() == 2


def test_unchanged_files_are_not_rehashed(local, music):
    folder = add_folder(local, music)
    scan(local, folder)
    track = music / "R.E.M" / "Out of Time" / "01 Losing My Religion.mp3"
    before = Asset.objects.get(work__title="Losing My Religion").content_hash
    stat = track.stat()
    data = bytearray(track.read_bytes())
    data[-1] ^= 0xFF  # same size, different content …
    track.write_bytes(bytes(data))
    os.utime(track, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # … and the same mtime
    job = scan(local, folder)
    assert (job["unchanged"], job["updated"], job["added"]) == (3, 0, 0)
    assert Asset.objects.get(work__title="Losing My Religion").content_hash == before
    os.utime(track, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    job = scan(local, folder)
    assert (job["unchanged"], job["updated"]) == (2, 1)
    assert AssetLocation.objects.get(relative_path__endswith="Religion.mp3").asset.content_hash != before


def test_files_that_disappear_are_marked_missing_not_deleted_and_come_back(local, music):
    folder = add_folder(local, music)
    scan(local, folder)
    book = music / "Books" / "dune.epub"
    hidden = music.parent / "dune.epub.away"
    book.rename(hidden)
    job = scan(local, folder)
    assert job["missing"] == 1
    location = AssetLocation.objects.get(relative_path="Books/dune.epub")
    assert location.missing_since is not None
    assert Work.objects.filter(title="Dune").exists()
    hidden.rename(book)
    job = scan(local, folder)
    assert (job["missing"], job["unchanged"]) == (0, 3)
    location.refresh_from_db()
    assert location.missing_since is None


def test_a_hostile_tree_is_scanned_to_the_end_with_reasons(local, tmp_path):
    root = tmp_path / "hostile"
    root.mkdir()
    write_mp3(root / "good.mp3", title="Good", salt="good")
    os.mkfifo(root / "pipe.mp3")  # unreadable without blocking (tests run as root, so chmod 000 would not stop them)
    (root / "broken.mp3").symlink_to(root / "nowhere.mp3")
    (root / "loop_a.mp3").symlink_to(root / "loop_b.mp3")
    (root / "loop_b.mp3").symlink_to(root / "loop_a.mp3")
    (root / "dir_loop").symlink_to(root)
    (root / "outside.mp3").symlink_to("/etc/hostname")
    (root / "empty.mp3").write_bytes(b"")
    good = (root / "good.mp3").read_bytes()
    (root / "truncated.mp3").write_bytes(good[:200])
    (root / "text.mp3").write_text("this is not audio\n" * 10)
    (root / "folder.mp3").mkdir()
    write_mp3(root / "folder.mp3" / "inner.mp3", title="Inner", salt="inner")
    write_mp3(os.path.join(os.fsencode(root), b"caf\xe9 latin1.mp3"), title="Latin-1 name", salt="latin1")
    job = scan(local, add_folder(local, root))
    assert job["state"] == "completed"
    reasons = {failure["relative_path"]: failure["reason"] for failure in job["failures"]}
    assert reasons["pipe.mp3"].startswith("not a regular file")
    assert reasons["broken.mp3"] == "broken symbolic link"
    assert reasons["loop_a.mp3"] == "symbolic link loop"
    assert reasons["outside.mp3"] == "symbolic link leads outside the library root"
    assert reasons["empty.mp3"] == "empty file (0 bytes)"
    assert reasons["text.mp3"] == "content is not a recognised media format"
    titles = set(Work.objects.values_list("title", flat=True))
    assert {"Good", "Inner", "Latin-1 name", "truncated"} <= titles
    odd = AssetLocation.objects.get(relative_path="caf\\xe9 latin1.mp3")
    assert bytes(odd.raw_path) == b"caf\xe9 latin1.mp3"
    assert os.path.exists(os.path.join(os.fsencode(root), bytes(odd.raw_path)))


class FirstFileOpened:
    """Blocks until a file of ``directory`` is opened, through Linux inotify (``IN_OPEN``).

    The scanner lists a directory before it opens any file in it, so once a file is open every
    later deletion happens during the scan, after the listing: the race the test is about, made
    certain instead of left to thread timing.
    """

    IN_OPEN, IN_ISDIR = 0x20, 0x40000000

    def __init__(self, directory):
        import ctypes

        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_CLOEXEC)
        if self.fd < 0 or self.libc.inotify_add_watch(self.fd, os.fsencode(directory), self.IN_OPEN) < 0:
            raise OSError(ctypes.get_errno(), "inotify is not available")

    def wait(self):
        import struct

        try:
            while True:
                events = os.read(self.fd, 4096)
                offset = 0
                while offset < len(events):
                    _, mask, _, length = struct.unpack_from("iIII", events, offset)
                    offset += 16 + length
                    if not mask & self.IN_ISDIR:
                        return
        finally:
            os.close(self.fd)


def test_files_deleted_while_the_scan_runs_do_not_stop_it(local, tmp_path):
    root = tmp_path / "churn"
    root.mkdir()
    for number in range(150):
        write_mp3(root / f"{number:03}.mp3", title=f"Track {number}", salt=number, frames=4)
    folder = add_folder(local, root)
    response = local.post("/ingestion/scan", json={"folder_id": folder})
    assert response.status_code == 202, response.json()
    first_file_opened = FirstFileOpened(root)
    doomed = range(149, -1, -2)

    def delete_during_the_scan():
        first_file_opened.wait()
        for number in doomed:
            os.remove(root / f"{number:03}.mp3")

    deleter = threading.Thread(target=delete_during_the_scan)
    deleter.start()
    assert run_pending_tasks() == 1
    deleter.join(timeout=30)
    assert not deleter.is_alive()
    job = local.get(f"/ingestion/jobs/{response.json()['id']}").json()
    assert job["state"] == "completed"
    # Every file was listed; each deleted one was taken in before it went or failed as gone.
    assert job["seen"] == 150
    assert job["added"] + job["failed"] == 150
    assert job["failures"], "no file disappeared during the scan"
    assert {f["reason"] for f in job["failures"]} == {"file disappeared during the scan"}
    assert {f["relative_path"] for f in job["failures"]} <= {f"{number:03}.mp3" for number in doomed}
    survivors = {f"Track {number}" for number in range(0, 150, 2)}
    assert survivors <= set(Work.objects.values_list("title", flat=True))


def test_only_one_scan_per_folder_at_a_time(local, music):
    folder = add_folder(local, music)
    first = local.post("/ingestion/scan", json={"folder_id": folder})
    second = local.post("/ingestion/scan", json={"folder_id": folder})
    assert first.status_code == 202
    assert (second.status_code, second.json()["code"]) == (409, "scan_in_progress")
    assert ScanJob.objects.count() == 1
    run_pending_tasks()
    assert local.post("/ingestion/scan", json={"folder_id": folder}).status_code == 202


def test_only_configured_folders_can_be_scanned_and_only_by_administrators(local, client_as, music):
    assert local.post("/ingestion/scan", json={"folder_id": 9999}).status_code == 404
    assert local.post("/ingestion/scan", json={"path": str(music)}).status_code == 400
    folder = add_folder(local, music)
    for role in ("Curator", "Consumer"):
        client = client_as(role)
        assert client.post("/ingestion/scan", json={"folder_id": folder}).status_code == 403
        assert client.get("/ingestion/jobs").status_code == 403
    assert ScanJob.objects.count() == 0


def test_a_scan_left_running_by_a_killed_worker_is_recovered_at_start_up(local, music):
    folder = add_folder(local, music)
    local.post("/ingestion/scan", json={"folder_id": folder})
    job = ScanJob.objects.get()
    ScanJob.objects.filter(pk=job.pk).update(state=ScanState.RUNNING, seen=1)  # the worker died here
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    assert run_pending_tasks() == 0  # nothing ready: the task is stuck as RUNNING
    assert [recovered.pk for recovered in recover_interrupted_scans()] == [job.pk]
    assert run_pending_tasks() == 1
    job.refresh_from_db()
    assert (job.state, job.added) == ("completed", 3)


def test_scan_command_runs_in_the_foreground(local, music):
    folder = add_folder(local, music)
    out = io.StringIO()
    call_command("scan", str(folder), stdout=out)
    assert "completed - seen 3, added 3" in out.getvalue()
    assert ScanJob.objects.get().state == "completed"
    assert Work.objects.count() == 3


def test_job_list_shows_counts(local, music):
    scan(local, add_folder(local, music))
    page = local.get("/ingestion/jobs").json()
    assert page["count"] == 1
    assert set(page["results"][0]) >= {"id", "folder_id", "state", "seen", "added", "updated", "unchanged",
                                        "missing", "failed", "current_file", "started_at", "finished_at"}


def test_the_serving_process_runs_queued_scans_in_process(tmp_path, music):
    """``manage.py serve`` with the embedded default: no db_worker, the scan still runs."""
    env = engine_environment(tmp_path / "data", RATE_GENERAL="100000/m")
    migrate(env)
    with EngineServer(env) as server:
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(music)}).json()["id"]
        job = httpx.post(f"{server.url}/ingestion/scan", json={"folder_id": folder}).json()
        for _ in range(600):
            state = httpx.get(f"{server.url}/ingestion/jobs/{job['id']}").json()
            if state["state"] in ("completed", "failed"):
                break
            time.sleep(0.05)
        works = httpx.get(f"{server.url}/library/works").json()
    assert (state["state"], state["added"]) == ("completed", 3)
    assert works["count"] == 3
