"""A reader process: the loop each sandboxed worker runs, and the form of what it answers.

The pool (``library.ingestion.sandbox``) sends ``(name, size, sidecar name)`` and then the open
descriptor itself (and its folder picture's, when there is one); the reader inspects the file
under its limits and answers with plain data, pickled.
Between hashing and parsing it says :data:`HASHED`: hashing is bounded by the file's size, and
parsing (where hostile input bites) gets the configured limits afresh, whatever the size.
The server reads answers with :func:`decode`, which refuses every class: only text, numbers,
bytes and containers of them can come back, so a reader a hostile file took over cannot make the
server run code by what it answers. Answers are capped at :data:`MAX_ANSWER` bytes.

A reader that breaks a limit does not answer: the kernel ends it (``SIGXCPU``), or it leaves with
:data:`MEMORY_EXIT` after a ``MemoryError``, so nothing a parser left behind is ever reused; the
pool reads the reason from how it ended.
"""

import io
import os
import pickle
import signal
from multiprocessing.reduction import recv_handle

from library.ingestion import inspection, limits

#: Exit status of a reader that ran out of address space.
MEMORY_EXIT = 75
#: Sent when the file is hashed and parsing begins (never a pickle).
HASHED = b"hashed"
MAX_ANSWER = 1024 * 1024


def serve(connection, file_limits, parse_options=None):
    """The worker process's main loop, until the pool closes its end of ``connection``.

    ``parse_options`` go to every parser call (see ``inspection.inspect``). A parser that runs a
    program (ffprobe) must start it with ``preexec_fn=limits.allow_program``: the program's
    shared libraries alone need more address space than a reader has."""
    os.setpgid(0, 0)  # its own process group: killed together with any program a parser started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the server, which stops the pool
    limits.confine_worker(file_limits)
    while True:
        try:
            name, size, sidecar_name = connection.recv()
            fd = recv_handle(connection)
            sidecar = (recv_handle(connection), sidecar_name) if sidecar_name is not None else None
        except EOFError:
            return
        def hashed():
            limits.budget_cpu(file_limits.cpu_seconds)
            connection.send_bytes(HASHED)

        try:
            limits.budget_cpu(file_limits.cpu_for(size))
            answer = inspection.inspect(fd, name, hashed, parse_options, sidecar)
        except (MemoryError, inspection.MemoryLimitReached):
            os._exit(MEMORY_EXIT)
        except OSError as error:
            answer = inspection.failed(inspection.reason_for(error))
        finally:
            os.close(fd)
            if sidecar is not None:
                os.close(sidecar[0])
        connection.send_bytes(encode(answer))


def encode(answer):
    """The answer pickled; the cap is for what the file's tags say, beside a verified picture
    (which ``artwork.pictures`` already bounds)."""
    payload = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
    picture = (answer.get("artwork") or {}).get("data") or b""
    if len(payload) - len(picture) > MAX_ANSWER:
        payload = pickle.dumps(inspection.failed("its embedded metadata is larger than 1 MiB"))
    return payload


class _PlainData(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"a reader answered with {module}.{name}, which is not plain data")


def decode(payload):
    """An answer as plain data; ``pickle.UnpicklingError`` for anything else."""
    answer = _PlainData(io.BytesIO(payload)).load()
    if not isinstance(answer, dict) or answer.get("outcome") not in (inspection.MEDIA, inspection.NOT_MEDIA, inspection.FAILED):
        raise pickle.UnpicklingError("a reader answered something that is not an inspection")
    return answer
