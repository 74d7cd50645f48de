"""Making sure an engine is the only one serving its data: one per SQLite data directory, and
one per PostgreSQL database without shared state.

Without ``MEDIA_ENGINE_REDIS_URL`` each server process counts rate limits and routes hub
messages in its own memory, which is right only while it is alone, and on the embedded default
its task worker takes any running scan for one it must recover. So ``manage.py serve`` holds
for its whole life:

- on SQLite, an exclusive ``flock`` on ``serve.lock`` in the directory of the database file (the
  data directory, unless ``MEDIA_ENGINE_DATABASE_URL`` names a file elsewhere), with its pid
  written in the file so a second server can say whom it met;
- on PostgreSQL without shared state, a session-level advisory lock, since a second process
  could join from another host.

A process that dies loses both (the kernel drops the ``flock`` with the descriptor, PostgreSQL
the lock with the session), so no stale lock outlives its server.
"""

import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connections

from engine.checks import uses_postgresql
from engine.shared_state import per_process_state

#: An arbitrary, fixed advisory-lock key: "media-engine sole server".
LOCK_KEY = 0x6D65_736F_6C65
LOCK_FILE = "serve.lock"
_held = []


def needs_lock():
    return uses_postgresql() and bool(per_process_state())


def claim():
    """Take the locks this deployment needs, kept until the process exits."""
    if not uses_postgresql():
        return claim_data_dir()
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


def claim_data_dir():
    """Lock the SQLite database's directory for this process, or :class:`CommandError` naming
    the process that holds it."""
    data_dir = Path(settings.DATABASES["default"]["NAME"]).resolve().parent
    fd = os.open(data_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        raise CommandError(
            f"Another engine (pid {holder}) already serves the data directory {data_dir}. Stop it first, "
            "or give this one a data directory of its own (MEDIA_ENGINE_DATA_DIR)."
        ) from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    _held.append(fd)
    return True
