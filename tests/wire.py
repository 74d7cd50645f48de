"""Raw HTTP/1.1 over a socket, for tests about what goes over the wire: request targets sent as
written, bodies refused while they are still being sent, requests left half-sent.

HTTP client libraries normalise targets, wait for a whole body to be sent before they read, and
never stall on purpose; these helpers do exactly what a test says and nothing more.
"""

import os
import select
import socket
import threading
import time
from dataclasses import dataclass

from tests.servers import LOOPBACK


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes


def parse_answer(received):
    head, _, body = received.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return Answer(int(status_line.split()[1]), headers, body)


def dechunk(data):
    body = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        body, data = body + data[:size], data[size + 2 :]
    return body


def request_head(method, target, port, headers=None):
    lines = [f"{method} {target} HTTP/1.1", f"Host: {LOOPBACK}:{port}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def exchange(port, method, target, headers=None, body=b""):
    """One request sent exactly as given, with ``Connection: close``; the whole answer."""
    headers = {**(headers or {}), "Connection": "close"}
    with socket.create_connection((LOOPBACK, port), timeout=15) as sock:
        sock.sendall(request_head(method, target, port, headers) + body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return parse_answer(received)


@dataclass
class Upload:
    """What happened to a body sent until the server answered: ``sent`` bytes of it had left
    the client when the answer arrived (None when it never did), and the answer."""

    sent: int
    answer: Answer | None
    error: str | None = None


def upload_until_answered(port, head, chunks, *, settle=5.0):
    """Send ``head``, then ``chunks`` (bytes), reading whenever the server has something to say.

    Stops sending at the first byte of an answer; the rest of the answer is read for ``settle``
    seconds at most. A server that reads the whole body before answering shows ``sent`` equal to
    the whole body.
    """
    sock = socket.create_connection((LOOPBACK, port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 64 * 1024)
    sent, received, error = 0, b"", None
    try:
        sock.sendall(head)
        sock.setblocking(False)
        for chunk in chunks:
            view = memoryview(chunk)
            while view and not received:
                readable, writable, _ = select.select([sock], [sock], [], 30)
                if readable:
                    data = sock.recv(65536)
                    if not data:
                        error = "closed before answering"
                        break
                    received += data
                elif writable:
                    try:
                        n = sock.send(view)
                    except BlockingIOError:
                        continue
                    view, sent = view[n:], sent + n
                else:
                    error = "stalled"
                    break
            if received or error:
                break
        sock.setblocking(True)
        sock.settimeout(settle)
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and not _complete(received):
            data = sock.recv(65536)
            if not data:
                break
            received += data
    except (ConnectionResetError, BrokenPipeError, TimeoutError) as exc:
        error = error or type(exc).__name__
    finally:
        sock.close()
    return Upload(sent, parse_answer(received) if received else None, error)


def _complete(received):
    head, found, body = received.partition(b"\r\n\r\n")
    if not found:
        return False
    lowered = head.lower()
    if b"transfer-encoding: chunked" in lowered:
        return body.endswith(b"0\r\n\r\n")
    for line in lowered.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def chunked(chunks):
    """``chunks`` in the chunked transfer coding, without the final empty chunk."""
    for chunk in chunks:
        yield f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"


def resident_bytes(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


def open_file_bytes(pid, directory):
    """Bytes in the files ``pid`` holds open under ``directory``, deleted ones included: Python's
    temporary files are unlinked as soon as they are made, so a directory listing shows none."""
    total, prefix = 0, str(directory)
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}").startswith(prefix):
                total += os.stat(f"/proc/{pid}/fd/{fd}").st_size
        except OSError:
            continue
    return total


class PeakSampler(threading.Thread):
    """The largest value ``measure()`` returned while the ``with`` block ran."""

    def __init__(self, measure, interval=0.02):
        super().__init__(daemon=True)
        self.measure, self.interval, self.peak, self.done = measure, interval, 0, threading.Event()

    def run(self):
        while not self.done.is_set():
            self.peak = max(self.peak, self.measure())
            self.done.wait(self.interval)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc_info):
        self.done.set()
        self.join()
        self.peak = max(self.peak, self.measure())
