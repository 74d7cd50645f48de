"""A scan's dispatcher: a thread that walks the root and keeps every reader process busy.

The scan's own thread writes to the database; if it also fed the readers, each batch it wrote
would leave them idle. So the walk and the pool are driven here, and what they produce reaches
the scan thread through a bounded queue (a slow database holds the walk back instead of filling
memory): refusals, files unchanged since the last scan (same size and modification time: not
opened at all; handed over by the hundred, since a rescan is mostly them), and the readers'
answers for the rest. This thread touches no database.
"""

import logging
import os
import queue
import stat
import threading
from dataclasses import dataclass

from library.ingestion import inspection
from library.ingestion.sandbox import Task
from library.ingestion.walk import DISAPPEARED, Refusal
from library.models.works import file_identity

logger = logging.getLogger(__name__)
QUEUE_SIZE = 2000
#: Unchanged files handed over together.
UNCHANGED_CHUNK = 256
#: Seconds between looks at the stop flag while waiting.
TICK = 0.2


@dataclass
class Unchanged:
    """A file the last scan took in, the same file still (size, time, device and inode).
    ``identity`` is what a row from before identities were kept lacks."""

    rel: bytes
    known: object
    identity: dict | None = None


@dataclass
class Inspected:
    entry: object
    answer: dict


_DONE = object()


class Dispatcher:
    """Iterate it (from the scan's thread) for the walk's refusals, unchanged files and answers.

    ``known`` maps a relative path to what the last scan recorded (``size``, ``mtime_ns``).
    """

    def __init__(self, walk, known, pool):
        self.walk, self.known, self.pool = walk, known, pool
        self._queue = queue.Queue(maxsize=QUEUE_SIZE)
        self._unchanged = []
        self._stop = threading.Event()
        self._error = None
        self._thread = threading.Thread(target=self._run, name="scan-dispatcher", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        while self._thread.is_alive():  # let a blocked put through
            try:
                self._queue.get(timeout=TICK)
            except queue.Empty:
                pass
        self._thread.join()
        return False

    def __iter__(self):
        while True:
            item = self._queue.get()
            if item is _DONE:
                if self._error is not None:
                    raise self._error
                return
            if isinstance(item, list):
                yield from item
            else:
                yield item

    # --- the thread ----------------------------------------------------------------------------

    def _run(self):
        entries = iter(self.walk)
        try:
            exhausted = False
            while not self._stop.is_set():
                while not exhausted and self.pool.has_room:
                    entry = next(entries, None)
                    if entry is None:
                        exhausted = True
                    else:
                        self._route(entry)
                if not self.pool.in_flight:
                    if exhausted:
                        break
                    continue
                self._hand_over_unchanged()  # before waiting for the readers
                for task, answer in self.pool.collect(TICK):
                    self._put(Inspected(task.key, answer))
            self._hand_over_unchanged()
        except BaseException as error:  # handed to the scan thread, which fails the scan
            self._error = error
        finally:
            entries.close()
            self._put(_DONE, always=True)

    def _route(self, entry):
        if isinstance(entry, Refusal):
            self._put(entry)
            return
        known = self.known.get(entry.rel)
        identity = file_identity(entry.info)
        if (
            known is not None and known.size == entry.info.st_size and known.mtime_ns == entry.info.st_mtime_ns
            and known.identity in (None, identity)
        ):
            self._unchanged.append(Unchanged(entry.rel, known, identity if known.identity is None else None))
            if len(self._unchanged) >= UNCHANGED_CHUNK:
                self._hand_over_unchanged()
            return
        try:
            fd = entry.open()
        except FileNotFoundError:
            self._put(Refusal(entry.rel, DISAPPEARED, present=False))
            return
        except OSError as error:
            self._put(Refusal(entry.rel, inspection.reason_for(error)))
            return
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):  # swapped for a FIFO after the listing
                self._put(Refusal(entry.rel, "not a regular file (a pipe, socket or device)"))
                return
            sidecar_fd = self._open_sidecar(entry)
            try:
                self.pool.submit(Task(fd, os.path.basename(entry.rel), info.st_size, entry, sidecar_fd, entry.sidecar))
            finally:
                if sidecar_fd is not None:
                    os.close(sidecar_fd)
        finally:
            os.close(fd)

    @staticmethod
    def _open_sidecar(entry):
        """The folder's cover picture, open for the reader, if there is one that opens (a link or
        a vanished file is no cover; the file's own picture is looked for either way)."""
        if entry.sidecar is None:
            return None
        try:
            return entry.open_sidecar()
        except OSError:
            return None

    def _hand_over_unchanged(self):
        if self._unchanged:
            chunk, self._unchanged = self._unchanged, []
            self._put(chunk)

    def _put(self, item, always=False):
        while True:
            if self._stop.is_set() and not always:
                return
            try:
                self._queue.put(item, timeout=TICK)
                return
            except queue.Full:
                if always and self._stop.is_set():
                    return
