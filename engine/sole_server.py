"""Making sure an engine without shared state is the only one serving its PostgreSQL database.

Without ``MEDIA_ENGINE_REDIS_URL`` each server process counts rate limits and routes hub
messages in its own memory, which is right only while it is alone. On PostgreSQL a second
process (on this host or another) could join unnoticed, so ``manage.py serve`` holds a
session-level advisory lock for its whole life and refuses to start when another holds it.
A process that dies loses its session, and the lock with it.
"""

from django.core.management.base import CommandError
from django.db import connections

from engine.checks import uses_postgresql
from engine.shared_state import per_process_state

#: An arbitrary, fixed advisory-lock key: "media-engine sole server".
LOCK_KEY = 0x6D65_736F_6C65
_held = []


def needs_lock():
    return uses_postgresql() and bool(per_process_state())


def claim():
    """Take the lock on a connection of its own, kept open until the process exits."""
    if not needs_lock():
        return False
    connection = connections.create_connection("default")
    connection.settings_dict = {**connection.settings_dict, "OPTIONS": {
        name: value for name, value in connection.settings_dict["OPTIONS"].items() if name != "pool"
    }}
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        (taken,) = cursor.fetchone()
    if not taken:
        connection.close()
        raise CommandError(
            "Another engine process already serves this PostgreSQL database without shared state. "
            "Set MEDIA_ENGINE_REDIS_URL on every process that serves it (rate limits and the hub "
            "then share Redis), or stop the other process."
        )
    _held.append(connection)
    return True
