"""Keys made before keys belonged to profiles belong to the Owner after ``manage.py migrate``, and
go on working: a real SQLite file migrated in subprocesses from where the engine stood before,
the key rows written with ``sqlite3`` as that engine wrote them, then a real server asked.
"""

import sqlite3

import httpx

from security import keys
from tests.servers import EngineServer, engine_environment, manage, migrate_until

#: Where the security app stood before keys named a profile, and the library as far as it goes
#: without that link (its per-profile state needs it); every other app is fully migrated.
BEFORE_THE_LINK = {"security": "0004_seed_owner", "library": "0012_work_catalog_keys"}

INSERT_KEY = (
    "INSERT INTO security_apikey (label, role, key_id, digest, created_at, created_by, last_used_at, expires_at, revoked_at) "
    "VALUES (?, ?, ?, ?, '2025-01-02 03:04:05', 'manage.py (owner)', NULL, NULL, ?)"
)


def old_keys(database, specs):
    """Key rows as the engine wrote them before the link; returns the plaintext of each."""
    made = []
    with sqlite3.connect(database) as db:
        for label, role, revoked_at in specs:
            generated = keys.generate()
            db.execute(INSERT_KEY, (label, role, generated.key_id, keys.digest(generated.plaintext), revoked_at))
            made.append(generated.plaintext)
    db.close()
    return made


def migrated_before_the_link(tmp_path):
    env = engine_environment(tmp_path / "data")
    migrate_until(env, BEFORE_THE_LINK)
    return env, tmp_path / "data" / "engine.sqlite3"


def test_keys_made_before_the_link_belong_to_the_owner_and_keep_working(tmp_path):
    env, database = migrated_before_the_link(tmp_path)
    with sqlite3.connect(database) as db:
        # Another profile existed already; it owned no keys, since keys had no owner yet.
        db.execute(
            "INSERT INTO library_profile (display_name, role, avatar_color, is_owner, created_at) "
            "VALUES ('Kid', 'Consumer', '#ef4444', 0, '2025-01-02 03:04:05')"
        )
        (owner_id,) = db.execute("SELECT id FROM library_profile WHERE is_owner = 1").fetchone()
    db.close()
    admin, phone, _revoked = old_keys(database, [
        ("Media manager", "Administrator", None), ("Phone", "Consumer", None), ("Old tablet", "Consumer", "2025-02-01 00:00:00"),
    ])

    manage(env, "migrate", "--no-input")

    with sqlite3.connect(database) as db:
        owners = db.execute("SELECT label, profile_id FROM security_apikey ORDER BY label").fetchall()
    db.close()
    assert owners == [("Media manager", owner_id), ("Old tablet", owner_id), ("Phone", owner_id)]
    with EngineServer(env) as server:
        listed = httpx.get(f"{server.url}/admin/api-keys", headers={"X-Api-Key": admin}).json()["results"]
        me = httpx.get(f"{server.url}/me", headers={"X-Api-Key": phone})
    assert {(key["label"], key["profile_id"]) for key in listed} == {
        ("Media manager", owner_id), ("Phone", owner_id), ("Old tablet", owner_id),
    }
    assert me.status_code == 200
    assert (me.json()["role"], me.json()["profile"]["id"], me.json()["profile"]["is_owner"]) == ("Consumer", owner_id, True)
    assert "[ ]" not in manage(env, "showmigrations", "security").stdout


def test_an_engine_whose_owner_was_removed_by_hand_gets_it_back_to_hold_its_keys(tmp_path):
    env, database = migrated_before_the_link(tmp_path)
    with sqlite3.connect(database) as db:
        db.execute("DELETE FROM library_profile WHERE is_owner = 1")
    db.close()
    (phone,) = old_keys(database, [("Phone", "Consumer", None)])

    manage(env, "migrate", "--no-input")

    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT p.display_name, p.role, p.is_owner FROM security_apikey k JOIN library_profile p ON p.id = k.profile_id"
        ).fetchall()
    db.close()
    assert rows == [("Owner", "Administrator", 1)]
    with EngineServer(env) as server:
        assert httpx.get(f"{server.url}/me", headers={"X-Api-Key": phone}).json()["profile"]["display_name"] == "Owner"
