"""A scan states what files say as claims; resolution, not the scanner, decides canonical values."""

from library.models import Claim, Work
from tests.background_tasks import run_pending_tasks
from tests.media_samples import write_mp3


def scan_folder(client, root):
    folder = client.post("/settings/folders", json={"path": str(root)}).json()["id"]
    assert client.post("/ingestion/scan", json={"folder_id": folder}).status_code == 202
    run_pending_tasks()
    return folder


def test_embedded_values_become_unlocked_claims_and_resolve_into_the_work(local, tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    write_mp3(root / "song.mp3", title="Religion", artist="R.E.M.", album="Out of Time", year=1991, salt=7)
    scan_folder(local, root)
    work = Work.objects.get()
    claims = {claim.field: claim for claim in Claim.objects.filter(work=work)}
    assert {"title", "artist", "album", "year"} <= set(claims)
    assert all(claim.source == "embedded" and not claim.locked for claim in claims.values())
    assert (work.title, work.artist, work.year) == ("Religion", "R.E.M.", 1991)
    assert local.get("/library/works", params={"q": "r.e.m. RELIGION"}).json()["count"] == 1


def test_a_locked_user_claim_survives_a_rescan(local, tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    write_mp3(root / "song.mp3", title="Religon (typo)", artist="R.E.M.", salt=8)
    folder = scan_folder(local, root)
    work = Work.objects.get()
    locked = local.post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Losing My Religion"})
    assert locked.status_code == 201
    write_mp3(root / "other.mp3", title="Other", artist="R.E.M.", salt=9)
    assert local.post("/ingestion/scan", json={"folder_id": folder}).status_code == 202
    run_pending_tasks()
    assert local.get(f"/library/works/{work.pk}").json()["title"] == "Losing My Religion"
    assert Work.objects.count() == 2


def test_track_and_disc_written_as_n_of_total_are_claimed_as_their_number(local, tmp_path):
    root = tmp_path / "music"
    root.mkdir()
    write_mp3(root / "song.mp3", title="Near Wild Heaven", album="Out of Time", track="3/11", disc="1/2", salt=10)
    scan_folder(local, root)
    metadata = Work.objects.get().metadata
    assert (metadata.get("track"), metadata.get("disc")) == ("3", "1")
