"""Profiles: Administrators manage them; the Owner and the last Administrator can be neither deleted
nor demoted (409), also when requests race."""

import subprocess
import sys
import threading
import time

import httpx
import pytest

from security.audit import Actor, AuditEntry
from security.profiles import services
from security.profiles.models import Profile
from tests.servers import ROOT, EngineServer, engine_environment, manage, migrate


@pytest.fixture(autouse=True)
def generous_rate_limit(settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000/m"}


def owner():
    return Profile.objects.get(is_owner=True)


def test_the_owner_exists_from_the_first_migration(local):
    [profile] = local.get("/profiles").json()["results"]
    assert set(profile) == {"id", "display_name", "role", "avatar_color", "is_owner", "created_at"}
    assert (profile["display_name"], profile["role"], profile["is_owner"]) == ("Owner", "Administrator", True)


def test_create_edit_and_delete_a_profile(local):
    created = local.post("/profiles", json={"display_name": "Ana María 山田", "role": "Curator", "avatar_color": "#10b981"})
    assert created.status_code == 201
    profile = created.json()
    assert (profile["role"], profile["is_owner"]) == ("Curator", False)
    patched = local.patch(f"/profiles/{profile['id']}", json={"role": "Consumer"}).json()
    assert (patched["display_name"], patched["role"]) == ("Ana María 山田", "Consumer")
    put = local.put(f"/profiles/{profile['id']}", json={"display_name": "Ana"}).json()
    assert put["display_name"] == "Ana"
    assert local.delete(f"/profiles/{profile['id']}").status_code == 204
    assert not Profile.objects.filter(pk=profile["id"]).exists()
    actions = list(AuditEntry.objects.filter(action__startswith="profile.").values_list("action", flat=True))
    assert sorted(actions) == ["profile.created", "profile.deleted", "profile.updated", "profile.updated"]


@pytest.mark.parametrize("body", [
    {"display_name": ""}, {"display_name": "   "}, {"display_name": "x" * 51}, {"display_name": "A", "role": "Owner"},
    {"display_name": "A", "avatar_color": "red"}, {"display_name": "A", "is_owner": True}, {"display_name": "A", "nick": "a"},
    {"role": "Consumer"},
])
def test_bad_profile_input_is_400_and_stores_nothing(local, body):
    response = local.post("/profiles", json=body)
    assert response.status_code == 400 and response.json()["code"]
    assert Profile.objects.count() == 1


def test_display_name_of_fifty_characters_is_accepted(local):
    assert local.post("/profiles", json={"display_name": "x" * 50}).status_code == 201


def test_the_owner_can_be_neither_deleted_nor_demoted(local):
    me = owner()
    response = local.delete(f"/profiles/{me.pk}")
    assert (response.status_code, response.json()["code"]) == (409, "owner_protected")
    for role in ("Curator", "Consumer"):
        response = local.patch(f"/profiles/{me.pk}", json={"role": role})
        assert (response.status_code, response.json()["code"]) == (409, "owner_protected")
    assert local.patch(f"/profiles/{me.pk}", json={"display_name": "Household"}).status_code == 200
    assert owner().role == "Administrator"


def test_the_last_administrator_cannot_be_removed(local):
    Profile.objects.filter(is_owner=True).delete()  # an engine whose Owner row was removed by hand
    admin = services.create_profile(display_name="Admin", role="Administrator", actor=Actor("test"))
    other = services.create_profile(display_name="Other", role="Administrator", actor=Actor("test"))
    assert local.patch(f"/profiles/{other.pk}", json={"role": "Consumer"}).status_code == 200
    response = local.patch(f"/profiles/{admin.pk}", json={"role": "Curator"})
    assert (response.status_code, response.json()["code"]) == (409, "last_administrator")
    response = local.delete(f"/profiles/{admin.pk}")
    assert (response.status_code, response.json()["code"]) == (409, "last_administrator")


def test_profiles_are_for_administrators_only(client_as):
    for role in ("Curator", "Consumer"):
        client = client_as(role)
        assert client.get("/profiles").status_code == 403
        assert client.post("/profiles", json={"display_name": "x"}).status_code == 403


#: What a second process on the same SQLite file runs: the service every entry point calls,
#: started at a shared instant so it races the server's own requests.
DEMOTE = """
import time
from engine.errors import Conflict
from security.audit import Actor
from security.profiles import services
from security.profiles.models import Profile
profile = Profile.objects.get(pk={pk})
time.sleep(max(0, {start} - time.time()))
try:
    services.update_profile(profile, actor=Actor("race"), role="Consumer")
    print("status 200")
except Conflict:
    print("status 409")
"""


def test_concurrent_demotions_across_processes_never_leave_no_administrator(tmp_path):
    """The server and other processes on one SQLite file; many demotions race. The original
    engine's read-then-write check let every request see "another Administrator is left"."""
    env = engine_environment(tmp_path / "data", RATE_GENERAL="100000/m")
    migrate(env)
    manage(env, "shell", "-c", "from security.profiles.models import Profile; Profile.objects.filter(is_owner=True).delete()")
    with EngineServer(env) as server:
        ids = [
            httpx.post(f"{server.url}/profiles", json={"display_name": f"Admin {n}", "role": "Administrator"}).json()["id"]
            for n in range(6)
        ]
        start = time.time() + 20
        others = [
            subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "shell", "-c", DEMOTE.format(pk=pk, start=start)],
                             env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
            for pk in ids[3:]
        ]
        statuses = []

        def demote(profile_id):
            time.sleep(max(0, start - time.time()))
            statuses.append(httpx.patch(f"{server.url}/profiles/{profile_id}", json={"role": "Consumer"}, timeout=30).status_code)

        threads = [threading.Thread(target=demote, args=(pk,)) for pk in ids[:3]]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for other in others:
            output, _ = other.communicate(timeout=120)
            statuses.append(int(output.split("status ")[-1]))
        remaining = [p for p in httpx.get(f"{server.url}/profiles").json()["results"] if p["role"] == "Administrator"]
    assert sorted(statuses) == [200] * 5 + [409]
    assert len(remaining) == 1
