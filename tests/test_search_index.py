"""The SQLite search index outlives schema changes: Django rebuilds a table to alter it, which drops
the table's triggers, and ``migrate`` puts them back and rebuilds the index."""

import sqlite3
import textwrap

from tests.servers import engine_environment, manage

ALTER_THEN_WRITE = textwrap.dedent(
    """
    from django.db import connection, models
    from library.models import Work
    from library.search import search_text

    def make(title):
        work = Work(kind="music", title=title)
        work.search_text = search_text(work)
        work.save()

    make("Before The Change")
    old = Work._meta.get_field("title")
    new = models.CharField(max_length=600, blank=True)
    new.set_attributes_from_name("title")
    new.model = Work
    with connection.schema_editor() as editor:
        editor.alter_field(Work, old, new)  # SQLite: a new table, the rows copied, the old one dropped
    make("After The Change")
    """
)


def triggers(database):
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'library_work'")
        return sorted(name for (name,) in rows)


def found(database, word):
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT w.title FROM library_work w WHERE w.id IN (SELECT rowid FROM library_work_search WHERE library_work_search MATCH ?)",
            (f'"{word}"',),
        )
        return sorted(title for (title,) in rows)


def test_migrate_puts_back_the_triggers_a_table_rebuild_dropped(tmp_path):
    env = engine_environment(tmp_path / "data")
    database = tmp_path / "data" / "engine.sqlite3"
    manage(env, "migrate", "--no-input")
    expected = [
        "library_work_counted",
        "library_work_recounted",
        "library_work_search_delete",
        "library_work_search_insert",
        "library_work_search_update",
        "library_work_uncounted",
    ]
    assert triggers(database) == expected
    manage(env, "shell", "-c", ALTER_THEN_WRITE)
    assert triggers(database) == []  # what Django's table rebuild leaves
    assert found(database, "change") == ["Before The Change"]  # the new work is not in the index
    manage(env, "migrate", "--no-input")
    assert triggers(database) == expected
    assert found(database, "change") == ["After The Change", "Before The Change"]
    with sqlite3.connect(database) as connection:  # the work written without triggers is counted
        assert connection.execute("SELECT kind, works FROM library_workcount").fetchall() == [("music", 2)]
    with sqlite3.connect(database) as connection:
        connection.execute("INSERT INTO library_work_search(library_work_search, rank) VALUES ('integrity-check', 1)")
