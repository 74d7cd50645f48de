"""The database index behind ``?q=``: SQLite FTS5 (trigram tokenizer), PostgreSQL pg_trgm (GIN).

Both answer the substring match that ``LIKE '%term%'`` gave from an index instead of reading
every work. On SQLite an FTS5 table indexes ``library_work.search_text`` as external content and
triggers keep it in step with every insert, update and delete of a work, whatever writes it (a
scan, metadata resolution, a folder's deletion, the Django admin, raw SQL). Django rebuilds a
SQLite table to alter it, and dropping the old table drops its triggers, so after every
``migrate`` :func:`repair` puts back what is missing and rebuilds the index from the works. On
PostgreSQL the GIN index is the database's own and survives any ``ALTER TABLE``.

A SQLite without the trigram tokenizer (before 3.34) or a PostgreSQL role that may not create
pg_trgm gets no index and a warning; search then reads every work, as before.
"""

import logging

from django.db import DatabaseError, transaction

logger = logging.getLogger(__name__)

TABLE = "library_work_search"
MIGRATION = ("library", "0008_work_search_index")
_SQLITE_TABLE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TABLE} USING fts5("
    "search_text, content='library_work', content_rowid='id', tokenize='trigram')"
)
_SQLITE_TRIGGERS = {
    f"{TABLE}_insert": f"AFTER INSERT ON library_work BEGIN "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"{TABLE}_delete": f"AFTER DELETE ON library_work BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"{TABLE}_update": f"AFTER UPDATE OF search_text ON library_work BEGIN "
    f"INSERT INTO {TABLE}({TABLE}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {TABLE}(rowid, search_text) VALUES (new.id, new.search_text); END",
}
_POSTGRES_INDEX = f"CREATE INDEX IF NOT EXISTS {TABLE}_trgm ON library_work USING gin (search_text gin_trgm_ops)"

#: ``(vendor, database name)`` → whether that database has the SQLite index; read per search.
_known = {}


def _sqlite_objects(cursor):
    cursor.execute("SELECT name FROM sqlite_master WHERE name = %s OR (type = 'trigger' AND tbl_name = 'library_work')", [TABLE])
    return {name for (name,) in cursor.fetchall()}


def _sqlite_has_trigram(cursor):
    try:
        cursor.execute("CREATE VIRTUAL TABLE temp.library_trigram_probe USING fts5(x, tokenize='trigram')")
        cursor.execute("DROP TABLE temp.library_trigram_probe")
    except DatabaseError:
        return False
    return True


def install(connection):
    """Create whatever of the index is missing; on SQLite rebuild it when anything was."""
    _known.clear()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            present = _sqlite_objects(cursor)
            if {TABLE, *_SQLITE_TRIGGERS} <= present:
                return False
            if TABLE not in present and not _sqlite_has_trigram(cursor):
                logger.warning("This SQLite has no FTS5 trigram tokenizer (3.34 or newer needed): search reads every work.")
                return False
            cursor.execute(_SQLITE_TABLE)
            for name, body in _SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {body}")
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('rebuild')")
            return True
        if connection.vendor == "postgresql":
            try:
                with transaction.atomic(using=connection.alias):
                    cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            except DatabaseError as error:
                logger.warning("pg_trgm could not be created (%s): search reads every work.", error)
                return False
            cursor.execute(_POSTGRES_INDEX)
            return True
    return False


def uninstall(connection):
    _known.clear()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in _SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        elif connection.vendor == "postgresql":
            cursor.execute(f"DROP INDEX IF EXISTS {TABLE}_trgm")


def repair(using, **kwargs):
    """``post_migrate``: on SQLite, put back triggers a table rebuild dropped (and the index with
    them), once the index's migration is applied."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    connection = connections[using]
    if connection.vendor != "sqlite" or MIGRATION not in MigrationRecorder(connection).applied_migrations():
        return
    if install(connection):
        logger.info("The search index of %s was incomplete and has been rebuilt.", connection.settings_dict["NAME"])


def sqlite_index_ready(connection):
    """Whether ``?q=`` can use the FTS5 table on this SQLite database."""
    key = connection.settings_dict["NAME"]
    if key not in _known:
        with connection.cursor() as cursor:
            _known[key] = TABLE in _sqlite_objects(cursor)
    return _known[key]
