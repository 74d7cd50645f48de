"""Streaming a large file to a slow client keeps the server's memory bounded.

Django's ``FileResponse`` reads the whole file into memory under ASGI, and a server without write
back-pressure buffers whatever the application produces; either makes a slow client cost the
server the whole file. This runs the real server (``manage.py serve``) and a client that reads
slowly through a small receive buffer, and checks the server's resident memory the whole time.
"""

import hashlib
import socket
import time

import httpx
import pytest

from tests.servers import LOOPBACK
from tests.streaming_servers import ProvisionedEngine, sha256_of, write_media_file
from tests.wire import PeakSampler, resident_bytes

pytestmark = pytest.mark.services

FILE_SIZE = 256 * 1024 * 1024
RSS_GROWTH_LIMIT = 64 * 1024 * 1024
SLOW_PHASE_BYTES = 12 * 1024 * 1024


def slow_get(port, path, key):
    """GET through a 16 KiB receive buffer, first slowly (about 2 MB/s), then at full speed."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    sock.connect((LOOPBACK, port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nX-Api-Key: {key}\r\nConnection: close\r\n\r\n".encode())
    received, digest, head, body_bytes = b"", hashlib.sha256(), None, 0
    while True:
        chunk = sock.recv(64 * 1024)
        if not chunk:
            break
        if head is None:
            received += chunk
            if b"\r\n\r\n" not in received:
                continue
            head, _, chunk = received.partition(b"\r\n\r\n")
        digest.update(chunk)
        body_bytes += len(chunk)
        if body_bytes < SLOW_PHASE_BYTES:
            time.sleep(0.03)
    sock.close()
    return head.decode("latin-1"), body_bytes, digest.hexdigest()


def test_slow_client_streaming_keeps_server_memory_bounded(tmp_path):
    media = write_media_file(tmp_path / "library" / "large.mkv", FILE_SIZE)
    engine = ProvisionedEngine(tmp_path / "data", media)
    with engine.server() as server:
        pid = server.process.pid
        # Warm up imports and the database connection without sending the file (a large transfer
        # before the baseline would hide the growth in the baseline).
        assert httpx.head(f"{server.url}/stream/{engine.asset_id}", headers={"X-Api-Key": engine.key}).status_code == 200
        baseline = resident_bytes(pid)
        with PeakSampler(lambda: resident_bytes(pid)) as sampler:
            head, body_bytes, digest = slow_get(server.port, f"/stream/{engine.asset_id}", engine.key)
    assert head.startswith("HTTP/1.1 200"), head
    assert body_bytes == FILE_SIZE
    assert digest == sha256_of(media)
    growth = sampler.peak - baseline
    print(f"server RSS growth while streaming {FILE_SIZE >> 20} MiB to a slow client: {growth / 2**20:.1f} MiB")
    assert growth < RSS_GROWTH_LIMIT, f"server RSS grew by {growth / 2**20:.1f} MiB while streaming"
