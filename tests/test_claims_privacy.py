"""Who locked a claim is the Administrators' to know; everyone else sees the role.

``claimed_by`` showed ``key mek_… (label)`` of the Curator who locked a claim to every Consumer:
the key's public prefix and its label (often a person's name or device). Non-Administrators now
see only the role of who claimed; Administrators see the key, as the audit trail does.
"""

import pytest
from django.core.management import call_command

from library.metadata.services import record_claims, resolve_work
from library.models import Work


@pytest.fixture
def work(db):
    work = Work.objects.create(kind="film")
    record_claims(work, {"title": "heat", "year": 1995}, source="embedded", confidence=0.5)
    resolve_work(work)
    return work


@pytest.fixture
def curator_key(make_key):
    return make_key("Curator", label="Alice's phone")[1]


def lock(key, work, value="Heat (director's cut)"):
    from tests.conftest import EngineClient

    return EngineClient(key=key).post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": value})


def claims_as(client, work):
    return client.get(f"/metadata/claims/{work.pk}").json()["results"]


@pytest.mark.parametrize("role", ["Consumer", "Curator"])
def test_others_see_only_the_role_of_who_locked_a_claim(client_as, work, curator_key, role):
    assert lock(curator_key, work).status_code == 201
    response = client_as(role).get(f"/metadata/claims/{work.pk}")
    [locked] = [claim for claim in response.json()["results"] if claim["source"] == "user"]
    assert locked["claimed_by"] == "Curator"
    assert "mek_" not in response.text and "Alice" not in response.text


def test_the_curator_who_locks_sees_the_role_too(work, curator_key):
    body = lock(curator_key, work).json()
    assert body["claimed_by"] == "Curator"
    assert "Alice" not in str(body)


def test_administrators_see_which_key_locked_a_claim(client_as, work, curator_key):
    lock(curator_key, work)
    [locked] = [claim for claim in claims_as(client_as("Administrator"), work) if claim["source"] == "user"]
    assert locked["claimed_by"].startswith("key mek_") and "(Alice's phone)" in locked["claimed_by"]


def test_a_claim_locked_by_the_localhost_administrator_shows_administrator_to_others(local, client_as, work):
    local.post("/metadata/lock-claim", json={"work_id": work.pk, "field": "title", "value": "Heat"})
    [locked] = [claim for claim in claims_as(client_as("Consumer"), work) if claim["source"] == "user"]
    assert locked["claimed_by"] == "Administrator"


def test_file_and_provider_claims_still_name_their_source(client_as, work):
    record_claims(work, {"title": "Heat"}, source="tmdb", confidence=0.9, claimed_by="provider tmdb")
    names = {claim["source"]: claim["claimed_by"] for claim in claims_as(client_as("Consumer"), work)}
    assert names["tmdb"] == "provider tmdb"
    assert names["embedded"] == "scan" or names["embedded"] == ""


MIGRATE_TO_BEFORE_ROLES = """
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
executor = MigrationExecutor(connection)
leaves = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "library"]
executor.migrate(leaves + [("library", "0010_location_identity")])
"""


def test_claims_made_before_roles_were_kept_get_their_makers_role(tmp_path):
    import sqlite3

    from tests.servers import engine_environment, manage
    from tests.streaming_servers import KEY_PATTERN

    env = engine_environment(tmp_path / "data")
    manage(env, "shell", "-c", MIGRATE_TO_BEFORE_ROLES)
    key = KEY_PATTERN.search(manage(env, "apikey", "create", "--label", "Alice", "--role", "Curator").stdout).group(0)
    database = tmp_path / "data" / "engine.sqlite3"
    with sqlite3.connect(database) as db:
        work = db.execute(
            "INSERT INTO library_work (kind, title, year, artist, album, author, series, metadata, search_text, created_at, updated_at)"
            " VALUES ('film', 'Heat', NULL, '', '', '', '', '{}', '', '2025-01-01', '2025-01-01')"
        ).lastrowid
        for claimed_by, source in ((f"key {key[:16]} (Alice)", "user"), ("localhost", "user"), ("key mek_000000000000 (gone)", "user"), ("provider tmdb", "tmdb")):
            db.execute(
                "INSERT INTO library_claim (work_id, field, value, source, confidence, locked, claimed_by, claimed_at)"
                " VALUES (?, 'title', 'Heat', ?, 1.0, 0, ?, '2025-01-01')", (work, source, claimed_by),
            )
    db.close()
    manage(env, "migrate", "--no-input")
    with sqlite3.connect(database) as db:
        roles = db.execute("SELECT claimed_by, claimer_role FROM library_claim ORDER BY id").fetchall()
    db.close()
    assert [role for _, role in roles] == ["Curator", "Administrator", "", ""]
