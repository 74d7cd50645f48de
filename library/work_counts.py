"""The per-kind totals behind ``/library/works``'s ``count``, kept by database triggers.

The triggers run in the transaction of every insert, delete or change of kind of a work, whatever
code makes it (a scan, a folder's deletion, the Django admin, raw SQL), so a page reports its
total from a handful of rows instead of counting a table that grows with the library. Django
rebuilds a SQLite table to alter it and the rebuild drops the table's triggers, so after every
``migrate`` :func:`repair` puts back any that are missing and counts the works again. PostgreSQL
keeps triggers through ``ALTER TABLE``.
"""

import logging

from django.db import models

logger = logging.getLogger(__name__)

MIGRATION = ("library", "0004_work_counts_and_title_indexes")

_SQLITE = {
    "library_work_counted": """AFTER INSERT ON library_work BEGIN
        INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET works = works + 1;
    END""",
    "library_work_uncounted": """AFTER DELETE ON library_work BEGIN
        UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
    END""",
    "library_work_recounted": """AFTER UPDATE OF kind ON library_work
    WHEN OLD.kind IS NOT NEW.kind BEGIN
        UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
        INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET works = works + 1;
    END""",
}

_POSTGRESQL = [
    """CREATE OR REPLACE FUNCTION library_work_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
            ON CONFLICT (kind) DO UPDATE SET works = library_workcount.works + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER library_work_counted AFTER INSERT OR DELETE ON library_work
    FOR EACH ROW EXECUTE FUNCTION library_work_count()""",
    """CREATE TRIGGER library_work_recounted AFTER UPDATE OF kind ON library_work
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION library_work_count()""",
]
_POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS library_work_counted ON library_work",
    "DROP TRIGGER IF EXISTS library_work_recounted ON library_work",
    "DROP FUNCTION IF EXISTS library_work_count()",
]


def _sqlite_triggers(cursor):
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'library_work'")
    return {name for (name,) in cursor.fetchall()}


def install(connection, Work, WorkCount):
    """Create the triggers, then count the works once (in the caller's transaction, so no work
    is counted twice or missed). ``Work`` and ``WorkCount`` are the models as the caller knows
    them: a migration's historical models, or the app's."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            present = _sqlite_triggers(cursor)
            for name, body in _SQLITE.items():
                if name not in present:
                    cursor.execute(f"CREATE TRIGGER {name} {body}")
        elif connection.vendor == "postgresql":
            for statement in _POSTGRESQL:
                cursor.execute(statement)
        else:
            raise RuntimeError(f"No work-count triggers for the {connection.vendor} database.")
    manager = WorkCount.objects.using(connection.alias)
    manager.all().delete()
    counted = Work.objects.using(connection.alias).values("kind").annotate(works=models.Count("id")).order_by("kind")
    manager.bulk_create(WorkCount(kind=row["kind"], works=row["works"]) for row in counted)


def uninstall(connection):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for statement in _POSTGRESQL_REVERSE:
                cursor.execute(statement)


def repair(using, **kwargs):
    """``post_migrate``: on SQLite, put back triggers a table rebuild dropped and count again."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    from library.models import Work, WorkCount

    connection = connections[using]
    if connection.vendor != "sqlite" or MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return
    with connection.cursor() as cursor:
        if set(_SQLITE) <= _sqlite_triggers(cursor):
            return
    install(connection, Work, WorkCount)
    logger.info("The work counts of %s had lost their triggers and have been counted again.", connection.settings_dict["NAME"])
