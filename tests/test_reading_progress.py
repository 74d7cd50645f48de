"""``/library/works/{id}/progress``: the calling profile's place in a work, the record KOReader's
progress sync shares (tests/test_kosync.py drives both together against a real server)."""

import pytest

from library.models import Work
from security import services
from security.audit import Actor
from security.profiles.models import Profile


@pytest.fixture
def work(db):
    return Work.objects.create(kind="book", title="Dune")


@pytest.fixture
def keys(db):
    alice = Profile.objects.create(display_name="Alice")
    bob = Profile.objects.create(display_name="Bob")

    def key(profile, label):
        return services.create_key(label=label, role="Consumer", profile=profile, actor=Actor("test"))[1]

    return {"alice-1": key(alice, "Kobo"), "alice-2": key(alice, "Phone"), "bob": key(bob, "Tablet")}


def test_no_progress_yet_reads_as_empty(remote, keys, work):
    body = remote.get(f"/library/works/{work.pk}/progress", key=keys["alice-1"]).json()
    assert body == {"work_id": work.pk, "percentage": None, "position": "", "device": "", "device_id": "", "changed_at": None}


def test_a_profiles_keys_share_progress_and_another_profile_does_not_see_it(remote, keys, work):
    saved = remote.put(f"/library/works/{work.pk}/progress", key=keys["alice-1"], json={"percentage": 0.4, "position": "page 120"})
    assert saved.status_code == 200, saved.text
    assert (saved.json()["percentage"], saved.json()["device"]) == (0.4, "Kobo")
    assert remote.get(f"/library/works/{work.pk}/progress", key=keys["alice-2"]).json()["position"] == "page 120"
    assert remote.get(f"/library/works/{work.pk}/progress", key=keys["bob"]).json()["percentage"] is None
    assert remote.delete(f"/library/works/{work.pk}/progress", key=keys["alice-2"]).status_code == 204
    assert remote.get(f"/library/works/{work.pk}/progress", key=keys["alice-1"]).json()["percentage"] is None


@pytest.mark.parametrize(
    "body",
    [{}, {"percentage": 1.5}, {"percentage": -0.1}, {"percentage": "half"}, {"percentage": True}, {"percentage": 0.5, "position": "x" * 2001},
     {"percentage": 0.5, "extra": 1}, [0.5]],
)
def test_bad_progress_is_400_and_changes_nothing(remote, keys, work, body):
    remote.put(f"/library/works/{work.pk}/progress", key=keys["alice-1"], json={"percentage": 0.25})
    response = remote.put(f"/library/works/{work.pk}/progress", key=keys["alice-1"], json=body)
    assert response.status_code == 400 and "code" in response.json()
    assert remote.get(f"/library/works/{work.pk}/progress", key=keys["alice-1"]).json()["percentage"] == 0.25


def test_progress_of_an_unknown_work_is_404(remote, keys):
    assert remote.get("/library/works/987654/progress", key=keys["alice-1"]).status_code == 404
    assert remote.put("/library/works/987654/progress", key=keys["alice-1"], json={"percentage": 0.5}).status_code == 404
