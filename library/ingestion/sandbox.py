"""A pool of sandboxed reader processes: every file a scan takes in is sniffed, hashed and parsed
in one of them, never in the server.

Parsers run over bytes anyone could have written: a zip entry that under-declared its size made
``zipfile`` allocate 2 GiB inside the server, and an MP3 with 800,000 ID3 frames kept mutagen at
100 % CPU for 280 s while every other scan waited. In a reader process (``reader.py``) such a file
meets its limits (``limits.py``): address space, CPU time, and a wall-clock deadline this pool
keeps. The file is then reported failed with the reason, the reader is killed with its process
group (so a program a parser started goes too), and a fresh reader takes the next file.

The scan opens every file itself, inside the library root (``walk.py``), and the pool passes the
open descriptor to the reader (``SCM_RIGHTS``): the reader never resolves a path, so the walk's
containment rules (no symbolic link out of the root, ``O_NOFOLLOW``) hold there without being
repeated, and handing over a file costs one ``sendmsg``, no path lookup.

Readers are forked from multiprocessing's fork server, a single-threaded process started (by
``exec``, not by forking the threaded server) the first time a scan needs a reader, with the
reader's modules already imported: a reader then costs a fork, not an interpreter's start-up,
and replacing one after a hostile file is cheap. Readers stop when the scan closes the pool.
This module imports no Django: a scan's dispatcher thread drives it.
"""

import logging
import multiprocessing
import os
import pickle
import signal
import time
from dataclasses import dataclass
from multiprocessing import connection as mp_connection
from multiprocessing import forkserver
from multiprocessing.reduction import send_handle

from library.ingestion import inspection, reader

logger = logging.getLogger(__name__)
#: Seconds a reader that was asked to stop may take before it is killed.
STOP_GRACE = 2.0


class ReadersUnavailable(Exception):
    """No reader process can be started (the scan fails with this)."""


@dataclass
class Task:
    """One file for a reader: its open descriptor (the pool does not close it), its name (bytes:
    the reader sniffs by it), its size (for the limits' allowance) and the caller's ``key``."""

    fd: int
    name: bytes
    size: int
    key: object
    #: The file's folder picture (``cover.jpg``), open too, and its name; read when the file has
    #: no picture of its own.
    sidecar_fd: int | None = None
    sidecar_name: bytes | None = None


def _fork_server():
    """The fork server's context, its server started now (it imports the reader's modules while
    the scan counts its files)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([reader.__name__])
    forkserver.ensure_running()
    return context


class _Reader:
    """One reader process and the task it is on."""

    def __init__(self, context, limits, parse_options):
        self.connection, child_end = context.Pipe(duplex=True)
        self.process = context.Process(
            target=reader.serve, args=(child_end, limits, parse_options), name="media-engine-reader", daemon=True,
        )
        self.process.start()
        child_end.close()
        self.task = None
        self.deadline = None

    def give(self, task, deadline):
        self.connection.send((task.name, task.size, task.sidecar_name if task.sidecar_fd is not None else None))
        send_handle(self.connection, task.fd, self.process.pid)
        if task.sidecar_fd is not None:
            send_handle(self.connection, task.sidecar_fd, self.process.pid)
        self.task, self.deadline = task, deadline

    def kill(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            self.process.kill()
        self.process.join()
        self.connection.close()

    def stop(self):
        self.connection.close()


class ReaderPool:
    """Up to ``size`` readers under ``limits``, parsing with ``parse_options`` (plain data: the
    keyword arguments of ``tags.read_embedded``); a context manager that stops them all on exit.

    Drive it from one thread: :meth:`submit` while :attr:`has_room`, :meth:`collect` for what
    has finished.
    """

    def __init__(self, size, limits, parse_options=None):
        self.size, self.limits, self.parse_options = max(1, size), limits, parse_options or {}
        self._context = _fork_server()
        self._idle, self._busy = [], []
        self.replaced = 0

    @property
    def has_room(self):
        return len(self._busy) < self.size

    @property
    def in_flight(self):
        return len(self._busy)

    def submit(self, task):
        """Hand ``task`` to an idle reader (started if none is); the caller closes ``task.fd``
        afterwards, the reader has its own copy."""
        deadline = time.monotonic() + self.limits.timeout_for(task.size)
        for attempt in (1, 2):
            worker = self._idle.pop() if self._idle else self._start_reader()
            try:
                worker.give(task, deadline)
            except OSError:  # it ended while idle (killed from outside): a fresh one, once
                worker.kill()
                if attempt == 2:
                    raise
                continue
            self._busy.append(worker)
            return

    def _start_reader(self):
        try:
            return _Reader(self._context, self.limits, self.parse_options)
        except OSError as error:
            raise ReadersUnavailable(f"The scan's reader processes could not be started ({error}).") from error

    def collect(self, timeout):
        """``[(task, answer)]`` for the tasks that ended within ``timeout`` seconds: answered,
        failed with their reader, or past their deadline."""
        if not self._busy:
            return []
        nearest = min(worker.deadline for worker in self._busy)
        wait = max(0.0, min(timeout, nearest - time.monotonic()))
        watched = [worker.connection for worker in self._busy] + [worker.process.sentinel for worker in self._busy]
        ready = set(mp_connection.wait(watched, wait))
        ended = []
        for worker in list(self._busy):
            if worker.connection in ready or worker.process.sentinel in ready:
                answer = self._answer_of(worker)
                if answer is None:
                    continue
            elif time.monotonic() >= worker.deadline:
                worker.kill()
                self.replaced += 1
                answer = inspection.failed(self.limits.timeout_reason)
            else:
                continue
            self._busy.remove(worker)
            ended.append((worker.task, answer))
            worker.task = None
        return ended

    def _answer_of(self, worker):
        """The reader's answer, or None when it only said it is parsing now (its deadline is
        then the configured timeout from now)."""
        try:
            payload = worker.connection.recv_bytes(reader.MAX_ANSWER + 1024)
            if payload == reader.HASHED:
                worker.deadline = time.monotonic() + self.limits.timeout_seconds
                return None
            answer = reader.decode(payload)
        except EOFError:
            pass  # it ended without answering: a limit, or a crash; how it ended says which
        except (OSError, pickle.UnpicklingError) as error:
            logger.warning("A reader process gave no usable answer (%s); it is replaced.", error)
        else:
            self._idle.append(worker)
            return answer
        reason = self._why_it_ended(worker)
        worker.kill()
        self.replaced += 1
        return inspection.failed(reason)

    def _why_it_ended(self, worker):
        worker.process.join(STOP_GRACE)
        code = worker.process.exitcode
        if code == -signal.SIGXCPU:
            return self.limits.cpu_reason
        if code == reader.MEMORY_EXIT:
            return self.limits.memory_reason
        if code is not None and code < 0:
            return f"the reader process was killed by {signal.Signals(-code).name} while reading it"
        return f"the reader process stopped while reading it (exit status {code})"

    def close(self):
        """Stop every reader: idle ones are asked to leave, busy ones are killed."""
        for worker in self._busy:
            worker.kill()
        for worker in self._idle:
            worker.stop()
        deadline = time.monotonic() + STOP_GRACE
        for worker in self._idle:
            worker.process.join(max(0.0, deadline - time.monotonic()))
            if worker.process.is_alive():
                worker.kill()
        self._idle, self._busy = [], []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
        return False
