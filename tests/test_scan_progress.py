"""Progress that can be shown: jobs and ``IngestionProgress`` carry ``total`` and ``percent``, the
counters add up (``seen = added + updated + unchanged + failed``), and ``manage.py scan`` reports
to hub clients like any scan, its bar ending at 100 %.

Hub clients are the official ``@microsoft/signalr`` client under Node; the command runs as a
user runs it, in a terminal (a pseudo-terminal here) beside a real server.
"""

import os
import pty
import re
import select
import subprocess
import sys

import httpx
import pytest

from tests.media_samples import write_epub, write_mp3
from tests.live_engine import create_key
from tests.servers import ROOT, EngineServer, RedisServer, engine_environment, manage
from tests.signalr_clients import MicrosoftSignalR, node  # noqa: F401
from tests.test_scans import add_folder, scan

EVENTS = ("IngestionStarted", "IngestionProgress", "IngestionCompleted", "IngestionFailed")



def adds_up(job):
    return job["seen"] == job["added"] + job["updated"] + job["unchanged"] + job["failed"]


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


def test_a_job_counts_every_file_met_and_reads_100_percent_when_complete(local, tmp_path):
    root = tmp_path / "library"
    root.mkdir()
    write_mp3(root / "good.mp3", title="Good", salt="good")
    write_mp3(root / "again.mp3", title="Again", salt="again")
    (root / "broken.mp3").symlink_to(root / "nowhere.mp3")
    (root / "text.mp3").write_text("not audio\n")
    (root / "notes.txt").write_text("not a candidate\n")
    folder = add_folder(local, root)
    job = scan(local, folder)
    assert (job["state"], job["trigger"], job["paths"], job["attempts"]) == ("completed", "manual", None, 1)
    assert (job["seen"], job["added"], job["failed"]) == (4, 2, 2)  # the broken link counts as met and failed
    assert adds_up(job)
    assert (job["total"], job["percent"]) == (4, 100)
    rescan = scan(local, folder)
    assert (rescan["seen"], rescan["unchanged"], rescan["failed"], rescan["total"], rescan["percent"]) == (4, 2, 2, 4, 100)


def serve(tmp_path, **settings):
    env = engine_environment(tmp_path / "data", RATE_GENERAL="100000/m", **settings)
    manage(env, "migrate", "--no-input")
    server = EngineServer(env)
    server.env = env
    server.admin_key = create_key(env, "Administrator", "progress admin")
    return server


def library_of(tmp_path, tracks=30):
    root = tmp_path / "library"
    root.mkdir()
    for number in range(tracks):
        write_mp3(root / f"{number:02}.mp3", title=f"Track {number}", salt=number)
    write_epub(root / "book.epub", title="Book", author="Writer")
    return root


def in_a_terminal(env, *args, timeout=120):
    """Run ``manage.py`` with a pseudo-terminal as its standard output; what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT,
                               stdout=follower, stderr=subprocess.STDOUT)
    os.close(follower)
    output = b""
    while True:
        ready, _, _ = select.select([leader], [], [], timeout)
        if not ready:
            process.kill()
            raise AssertionError(f"manage.py {' '.join(args)} printed nothing for {timeout} s:\n{output.decode(errors='replace')}")
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the command ended and closed its side
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    assert process.wait(timeout=30) == 0, output.decode(errors="replace")
    return output.decode(errors="replace")


def listen(node, server):
    """The official client, connected as an Administrator, listening for the scan events."""
    return MicrosoftSignalR(node, f"{server.url}/hubs/intercom", key=server.admin_key, events=EVENTS).start()


def test_a_cli_scan_is_run_by_the_server_so_its_hub_clients_see_it_and_the_bar_ends_at_100(node, tmp_path):  # noqa: F811
    root = library_of(tmp_path)
    with serve(tmp_path) as server:
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(root)}).json()["id"]
        client = listen(node, server)
        try:
            output = in_a_terminal(server.env, "scan", str(folder))
            started = client.next_event("IngestionStarted")
            progress = client.next_event("IngestionProgress")
            done = client.next_event("IngestionCompleted")
        finally:
            client.stop()
        jobs = httpx.get(f"{server.url}/ingestion/jobs").json()["results"]
    assert "by the running server" in output
    bars = re.findall(r"\[([#-]{30})\]\s+(\d+)%", output)
    assert bars and bars[-1] == ("#" * 30, "100"), output
    assert [int(percent) for _, percent in bars] == sorted(int(percent) for _, percent in bars)
    assert "completed - seen 31, added 31" in output
    assert (started["jobId"], started["trigger"], started["paths"], started["attempts"]) == (jobs[0]["id"], "manual", None, 1)
    assert progress["total"] == 31 and 0 <= progress["percent"] <= 99 and adds_up(progress)
    assert (done["jobId"], done["total"], done["percent"], done["seen"], done["attempts"]) == (jobs[0]["id"], 31, 100, 31, 1)
    assert adds_up(done)


@pytest.mark.services
def test_a_cli_scan_run_in_its_own_process_reaches_hub_clients_through_redis(node, tmp_path):  # noqa: F811
    root = library_of(tmp_path, tracks=5)
    with RedisServer() as redis, serve(tmp_path, REDIS_URL=redis.url, TASK_WORKER="external") as server:
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(root)}).json()["id"]
        client = listen(node, server)
        try:
            output = manage(server.env, "scan", str(folder)).stdout
            started = client.next_event("IngestionStarted")
            done = client.next_event("IngestionCompleted")
        finally:
            client.stop()
    assert f"Scanning {root} (job " in output and ", here)" in output, output
    assert (started["trigger"], started["path"]) == ("manual", str(root))
    assert (done["added"], done["percent"], done["total"]) == (6, 100, 6)
