"""What changes the library or lets someone in is in the audit trail: metadata locks and
resolves, scans started (over REST and by ``manage.py scan``), and Django admin logins, the
successful and the failed, with who, when and from where."""

import re
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from library.metadata.services import record_claims, resolve_work
from library.models import Work
from security.audit import AuditEntry
from tests.conftest import REMOTE, EngineClient
from tests.media_samples import write_mp3

LOGIN = "/django-admin/login/"


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


@pytest.fixture
def work(db):
    work = Work.objects.create(kind="film")
    record_claims(work, {"title": "heat"}, source="embedded", confidence=0.5)
    resolve_work(work)
    return work


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_a_locked_claim_is_audited_with_the_key_and_address(client_as, work):
    client = client_as("Curator")
    assert client.post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Heat"}).status_code == 201
    [entry] = entries("metadata.locked")
    assert entry.actor.startswith("key mek_") and entry.client_address == REMOTE
    assert entry.target == f"work {work.pk}: title = 'Heat'"


def test_a_resolve_is_audited(client_as, work):
    assert client_as("Curator").post("/metadata/resolve", json={"work_id": work.pk, "field": "title"}).status_code == 200
    [entry] = entries("metadata.resolved")
    assert entry.target == f"work {work.pk}: title"


def test_a_scan_started_over_rest_is_audited(local, tmp_path):
    (tmp_path / "music").mkdir()
    write_mp3(tmp_path / "music" / "a.mp3", title="A", salt=1)
    folder = local.post("/settings/folders", json={"path": str(tmp_path / "music")}).json()["id"]
    job = local.post("/ingestion/scan", json={"folder_id": folder}).json()
    [entry] = entries("scan.started")
    assert (entry.actor, entry.target) == ("localhost", f"folder {folder}: job {job['id']}")


def test_every_scan_of_a_scan_all_is_audited(local, tmp_path):
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        local.post("/settings/folders", json={"path": str(tmp_path / name)})
    assert local.post("/ingestion/scan", json={}).status_code == 202
    assert len(entries("scan.started")) == 2


def test_a_scan_run_by_the_command_is_audited(db, tmp_path, local):
    (tmp_path / "music").mkdir()
    folder = local.post("/settings/folders", json={"path": str(tmp_path / "music")}).json()["id"]
    call_command("scan", str(folder), stdout=open("/dev/null", "w"))
    [entry] = entries("scan.started")
    assert entry.actor.startswith("manage.py (")


@pytest.fixture
def staff(db):
    password = secrets.token_urlsafe(16)
    get_user_model().objects.create_user("owner", password=password, is_staff=True)
    return password


def log_in(client, username, password):
    form = client.get(LOGIN)
    token = re.search(r"csrftoken=([^;]+)", form.headers["set-cookie"]).group(1)
    return client.post(
        LOGIN, data={"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/django-admin/"},
        headers={"Cookie": f"csrftoken={token}"},
    )


def test_django_admin_logins_are_audited_successful_and_failed(staff):
    client = EngineClient()
    assert log_in(client, "owner", "wrong").status_code == 200
    assert log_in(client, "nobody", "wrong").status_code == 200
    assert log_in(client, "owner", staff).status_code == 302
    failed = entries("admin.login_failed")
    assert [(entry.actor, entry.client_address) for entry in failed] == [("user owner", REMOTE), ("user nobody", REMOTE)]
    [succeeded] = entries("admin.login")
    assert (succeeded.actor, succeeded.client_address) == ("user owner", REMOTE)
    assert all("wrong" not in entry.target and staff not in entry.target for entry in [*failed, succeeded])
