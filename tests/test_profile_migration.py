"""Profiles moved from the library app to the security app: a database migrated before the move
keeps every profile, id for id, its one Owner and its table after ``manage.py migrate``.

A real SQLite file, migrated in subprocesses; the rows are written with ``sqlite3`` as the engine
wrote them before the move.
"""

import json
import sqlite3

from tests.servers import engine_environment, manage, migrate_until

#: Where the library and security apps stood before the move; every other app is fully migrated.
BEFORE_THE_MOVE = {"library": "0002_seed_owner", "security": "0002_providersecret"}

PROFILES_AFTER = """
import json
from security.profiles.models import Profile
print(json.dumps(list(Profile.objects.order_by("id").values_list("id", "display_name", "role", "avatar_color", "is_owner"))))
"""

#: (display name, role, avatar colour, is Owner): the seed Owner first, as its migration made it.
PROFILES_BEFORE = [
    ("Owner", "Administrator", "#3b82f6", 1),
    ("Ana María 山田", "Curator", "#ef4444", 0),
    ("Gone", "Consumer", "#10b981", 0),
    ("Cy", "Administrator", "#f59e0b", 0),
]


def test_profiles_keep_their_rows_and_ids_when_they_move_to_the_security_app(tmp_path):
    env = engine_environment(tmp_path / "data")
    migrate_until(env, BEFORE_THE_MOVE)
    database = tmp_path / "data" / "engine.sqlite3"
    with sqlite3.connect(database) as db:
        db.executemany(
            "INSERT INTO library_profile (display_name, role, avatar_color, is_owner, created_at) VALUES (?, ?, ?, ?, '2025-01-02 03:04:05')",
            PROFILES_BEFORE,
        )
        db.execute("DELETE FROM library_profile WHERE display_name = 'Gone'")  # ids with a gap
        before = db.execute("SELECT id, display_name, role, avatar_color, is_owner FROM library_profile ORDER BY id").fetchall()
        # What `migrate` had recorded for the model, which the admin's history points at.
        content_type = db.execute("INSERT INTO django_content_type (app_label, model) VALUES ('library', 'profile')").lastrowid
    db.close()
    assert [row[0] for row in before] == [1, 2, 4]

    manage(env, "migrate", "--no-input")

    after = json.loads(manage(env, "shell", "-c", PROFILES_AFTER).stdout.strip().splitlines()[-1])
    assert [tuple(row) for row in after] == [(pk, name, role, colour, bool(owner)) for pk, name, role, colour, owner in before]
    with sqlite3.connect(database) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '%profile'")}
        content_types = db.execute("SELECT id, app_label FROM django_content_type WHERE model = 'profile'").fetchall()
    db.close()
    assert tables == {"library_profile"}
    assert content_types == [(content_type, "security")]
    assert "[ ]" not in manage(env, "showmigrations", "library", "security").stdout
