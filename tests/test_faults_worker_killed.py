"""A task worker killed mid-scan: the scan is re-queued and finished by another worker, and the
library ends up with every file on disk exactly once; a live worker's long scan is never taken.

Real processes: ``manage.py serve`` with ``MEDIA_ENGINE_TASK_WORKER=external`` (so only
``db_worker`` processes run scans), ``manage.py db_worker`` processes, redis-server for the hub
layer that external workers need, and the engine's SQLite database shared by all of them.
"""

import signal
import sqlite3

import pytest

from tests.fault_support import Engine, media_tree, wait_for_open_file, write_big_wav
from tests.servers import RedisServer, TaskWorker

pytestmark = pytest.mark.services


@pytest.fixture
def engine(tmp_path):
    with RedisServer() as redis:
        engine = Engine(tmp_path / "data", REDIS_URL=redis.url, TASK_WORKER="external", SCAN_STALE_AFTER=1)
        with engine.serve():
            yield engine


def task_states(engine):
    with sqlite3.connect(engine.env["MEDIA_ENGINE_DATA_DIR"] + "/engine.sqlite3") as database:
        rows = database.execute("SELECT status FROM django_tasks_database_dbtaskresult WHERE task_path LIKE '%.scan_folder'")
        return sorted(status for (status,) in rows)


def test_scan_of_a_killed_worker_is_finished_by_another_with_no_duplicate_or_lost_asset(engine, tmp_path):
    library = tmp_path / "library"
    files = media_tree(library, albums=3, tracks=15)
    # Hashing this file takes long enough to kill the worker half-way through the tree:
    # album-00 is recorded, album-01's tracks are, album-02 is not reached.
    write_big_wav(library / "album-01" / "zz-long.wav")
    files.append("album-01/zz-long.wav")
    folder = engine.add_folder(library)

    with TaskWorker(engine.env, worker_id="doomed") as doomed:
        job_id = engine.start_scan(folder)
        wait_for_open_file(doomed.process.pid, library / "album-01" / "zz-long.wav")
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait()
    interrupted = engine.job(job_id)
    assert interrupted["state"] in ("running", "queued")  # the dead worker could not say otherwise

    with TaskWorker(engine.env, worker_id="survivor"):
        finished = engine.wait_for_job(job_id)

    assert finished["state"] == "completed", finished
    # The restart is counted, the job reads as it ended (no leftover error), and it started when
    # it first started.
    assert (finished["attempts"], finished["error"]) == (2, "")
    assert finished["started_at"] == interrupted["started_at"]
    assert finished["seen"] == finished["added"] + finished["updated"] + finished["unchanged"] + finished["failed"]
    present, missing, assets = engine.locations()
    on_disk = {str(library / name) for name in files}
    assert set(present) == on_disk
    assert all(len(ids) == 1 for ids in present.values())
    assert len(assets) == len(set(assets)) == len(files)
    assert missing == []
    # The killed run's task is closed, not left RUNNING; the re-queued one succeeded.
    assert task_states(engine) == ["FAILED", "SUCCESSFUL"]


def test_a_new_scan_of_the_folder_starts_after_its_worker_was_killed(engine, tmp_path):
    library = tmp_path / "library"
    files = media_tree(library, albums=1, tracks=5, big="long.wav")
    folder = engine.add_folder(library)
    with TaskWorker(engine.env, worker_id="doomed") as doomed:
        first = engine.start_scan(folder)
        wait_for_open_file(doomed.process.pid, library / "long.wav")
        doomed.process.send_signal(signal.SIGKILL)
        doomed.process.wait()
    with TaskWorker(engine.env, worker_id="survivor"):
        assert engine.wait_for_job(first)["state"] == "completed"
        second = engine.wait_for_job(engine.start_scan(folder))
    assert (second["state"], second["seen"], second["unchanged"], second["added"]) == ("completed", len(files), len(files), 0)


def test_a_live_worker_hashing_longer_than_the_stale_period_keeps_its_scan(engine, tmp_path):
    library = tmp_path / "library"
    # Each file takes longer to hash than SCAN_STALE_AFTER (1 s): only the heartbeat thread,
    # not per-file progress, can keep the job from looking dead.
    write_big_wav(library / "long.wav", size=1024**3)
    folder = engine.add_folder(library)
    with TaskWorker(engine.env, worker_id="slow-but-alive"), TaskWorker(engine.env, worker_id="idle"):
        job = engine.wait_for_job(engine.start_scan(folder))
    assert (job["state"], job["added"], job["error"], job["attempts"]) == ("completed", 1, "", 1)
    assert task_states(engine) == ["SUCCESSFUL"]  # one task: never re-queued
