"""When each key was last used, recorded off the request path.

Writing ``last_used_at`` from a request (even once a minute per key) made a read take SQLite's
single write lock, so a browse request could wait behind a scan. Requests now only note the use
in memory; a background thread of the serving process writes the latest use of each key every
``MEDIA_ENGINE_KEY_USE_FLUSH`` seconds (one UPDATE per key used meanwhile), and once more when
the server process stops (the ASGI lifespan shutdown, or process exit), so a stopped server
loses nothing and a crashed one at most that interval.
Revocation does not depend on this: keys are still checked against the database every request.
"""

import atexit
import logging
import threading

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import Q

from security.models import ApiKey

logger = logging.getLogger(__name__)


class KeyUses:
    """The latest unwritten use of each key (by primary key), shared by the process's threads."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending = {}
        self._writer = None

    def note(self, key_pk, at):
        with self._lock:
            if self._pending.get(key_pk) is None or self._pending[key_pk] < at:
                self._pending[key_pk] = at
            if self._writer is None:
                self._start_writer()

    def flush(self):
        """Write every pending use; a use that cannot be written now stays for the next flush."""
        with self._lock:
            pending, self._pending = self._pending, {}
        failed = {}
        for key_pk, at in pending.items():
            try:
                # Never moves a recorded use back: another process may have written a later one.
                ApiKey.objects.filter(pk=key_pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=at)).update(
                    last_used_at=at
                )
            except DatabaseError:
                failed[key_pk] = at
        if failed:
            logger.warning("Last use of %d key(s) not recorded yet (database unavailable for writes).", len(failed))
            with self._lock:
                for key_pk, at in failed.items():
                    if self._pending.get(key_pk) is None or self._pending[key_pk] < at:
                        self._pending[key_pk] = at

    def _start_writer(self):
        interval = settings.MEDIA_ENGINE["KEY_USE_FLUSH"]
        if interval <= 0:  # the test suite's in-process requests: flushed when a test asks
            self._writer = False
            return
        self._writer = threading.Thread(target=self._write_every, args=(interval,), name="key-use-writer", daemon=True)
        self._writer.start()
        atexit.register(self.flush)

    def _write_every(self, interval):
        stopped = threading.Event()
        while not stopped.wait(interval):
            try:
                self.flush()
            finally:
                # Gives a pooled PostgreSQL connection back; SQLite keeps its own.
                close_old_connections()


_uses = KeyUses()


def note_use(key, at):
    """Record that ``key`` authenticated a request at ``at``; no database write here."""
    _uses.note(key.pk, at)


def flush():
    _uses.flush()
