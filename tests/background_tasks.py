"""Running queued background tasks inside a test, on the test's own thread and transaction."""

from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from library.worker import BACKEND, make_worker


def run_pending_tasks():
    """Run every ready task now, one after another; returns how many ran.

    The same ``Worker.run_task`` that ``db_worker`` and the in-process worker use, without the
    loop's connection recycling, which would close the test's own transaction.
    """
    worker = make_worker(batch=True)
    ran = 0
    while True:
        with exclusive_transaction():
            task_result = DBTaskResult.objects.ready().filter(backend_name=BACKEND).get_locked()
            if task_result is not None:
                task_result.claim(worker.worker_id)
        if task_result is None:
            return ran
        worker.run_task(task_result)
        ran += 1


def scan_through_api(client, path, media_kind="mixed"):
    """Add ``path`` as a library folder and scan it, as an Administrator would through the API;
    returns the finished job (with its failures)."""
    folder = client.post("/settings/folders", json={"path": str(path), "media_kind": media_kind})
    assert folder.status_code == 201, folder.json()
    queued = client.post("/ingestion/scan", json={"folder_id": folder.json()["id"]})
    assert queued.status_code == 202, queued.json()
    run_pending_tasks()
    return client.get(f"/ingestion/jobs/{queued.json()['id']}").json()


def rescan_through_api(client, folder_id):
    """Scan a library folder again; returns the finished job."""
    queued = client.post("/ingestion/scan", json={"folder_id": folder_id})
    assert queued.status_code == 202, queued.json()
    run_pending_tasks()
    return client.get(f"/ingestion/jobs/{queued.json()['id']}").json()
