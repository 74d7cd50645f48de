"""Library folders: Administrators add, change and remove them; every change is audited; roots
may not overlap; health says whether the server can read them."""

import pytest

from library.models import LibraryRoot
from security.audit import AuditEntry


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


def test_create_list_update_delete_with_audit(local, tmp_path):
    (tmp_path / "music").mkdir()
    (tmp_path / "films").mkdir()
    created = local.post("/settings/folders", json={"path": str(tmp_path / "music")})
    assert created.status_code == 201
    folder = created.json()
    assert folder["media_kind"] == "mixed" and folder["enabled"] is True
    assert folder["health"]["accessible"] is True and folder["health"]["readable"] is True
    assert folder["health"]["checked_at"]
    assert local.get("/settings/folders").json()["count"] == 1
    changed = local.put(f"/settings/folders/{folder['id']}", json={"path": str(tmp_path / "films"), "media_kind": "films", "enabled": False})
    assert changed.status_code == 200
    assert (changed.json()["path"], changed.json()["media_kind"], changed.json()["enabled"]) == (str(tmp_path / "films"), "films", False)
    assert local.delete(f"/settings/folders/{folder['id']}").status_code == 204
    assert LibraryRoot.objects.count() == 0
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["folder.created", "folder.updated", "folder.deleted"]
    assert str(tmp_path / "films") in AuditEntry.objects.get(action="folder.updated").target


def test_roots_may_not_overlap(local, tmp_path):
    (tmp_path / "media" / "music").mkdir(parents=True)
    assert local.post("/settings/folders", json={"path": str(tmp_path / "media")}).status_code == 201
    inside = local.post("/settings/folders", json={"path": str(tmp_path / "media" / "music")})
    assert (inside.status_code, inside.json()["code"]) == (400, "overlapping_root")
    LibraryRoot.objects.all().delete()
    assert local.post("/settings/folders", json={"path": str(tmp_path / "media" / "music")}).status_code == 201
    around = local.post("/settings/folders", json={"path": str(tmp_path / "media")})
    assert (around.status_code, around.json()["code"]) == (400, "overlapping_root")
    same = local.post("/settings/folders", json={"path": str(tmp_path / "media" / "music") + "/"})
    assert (same.status_code, same.json()["code"]) == (409, "duplicate_folder")
    assert LibraryRoot.objects.count() == 1


def test_a_folder_must_be_an_existing_directory(local, tmp_path):
    (tmp_path / "file.mp3").write_bytes(b"x")
    for path in (tmp_path / "nowhere", tmp_path / "file.mp3"):
        response = local.post("/settings/folders", json={"path": str(path)})
        assert (response.status_code, response.json()["code"]) == (400, "not_a_directory")
    assert LibraryRoot.objects.count() == 0


def test_update_with_a_refused_path_changes_nothing(local, tmp_path):
    (tmp_path / "music").mkdir()
    folder = local.post("/settings/folders", json={"path": str(tmp_path / "music")}).json()
    response = local.put(f"/settings/folders/{folder['id']}", json={"path": "/etc", "enabled": False})
    assert response.status_code == 400
    stored = LibraryRoot.objects.get()
    assert (stored.path, stored.enabled) == (str(tmp_path / "music"), True)


def test_unknown_fields_and_media_kinds_are_refused(local, tmp_path):
    (tmp_path / "music").mkdir()
    for body in ({"path": str(tmp_path / "music"), "kind": "music"}, {"path": str(tmp_path / "music"), "media_kind": "games"}, {}):
        assert local.post("/settings/folders", json=body).status_code == 400
    assert LibraryRoot.objects.count() == 0


def test_health_follows_the_disk(local, tmp_path):
    (tmp_path / "usb").mkdir()
    folder = local.post("/settings/folders", json={"path": str(tmp_path / "usb")}).json()
    (tmp_path / "usb").rmdir()  # the drive was unplugged
    health = local.get(f"/settings/folders/{folder['id']}").json()["health"]
    assert (health["accessible"], health["readable"]) == (False, False)


def test_folders_are_for_administrators_only(client_as, tmp_path):
    (tmp_path / "music").mkdir()
    for role in ("Curator", "Consumer"):
        client = client_as(role)
        assert client.get("/settings/folders").status_code == 403
        assert client.post("/settings/folders", json={"path": str(tmp_path / "music")}).status_code == 403
        assert client.post("/settings/test-path", json={"path": str(tmp_path / "music")}).status_code == 403
    assert client_as("Administrator").post("/settings/folders", json={"path": str(tmp_path / "music")}).status_code == 201
