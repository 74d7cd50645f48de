"""Streaming a 1 GiB file: the engine against nginx serving the same file from the same disk.

Three servers run in this process's lifetime on loopback ports: the engine (``manage.py serve``,
uvicorn), nginx serving the file's directory directly, and nginx in front of an engine with
``MEDIA_ENGINE_STREAM_OFFLOAD=nginx``. Figures are ratios against nginx direct, measured in the
same run; the file is read once first so every server reads from the page cache.

Goals: engine ≥ 50 % of nginx, offloaded ≥ 90 %, end-range TTFB ≤ 2 × start-range TTFB.
"""

import socket
import statistics
import tempfile
import time
from pathlib import Path

from tests.servers import LOOPBACK
from tests.streaming_servers import NginxServer, ProvisionedEngine, write_media_file

FILE_SIZE = 1024 * 1024 * 1024
ROUNDS = 3
TTFB_ROUNDS = 30
RANGE_LENGTH = 64 * 1024


def fetch(port, path, key=None, range_header=None):
    """``(seconds to the first body byte, seconds in all, body bytes)`` of one raw HTTP/1.1 GET."""
    headers = f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}\r\nConnection: close\r\n"
    if key:
        headers += f"X-Api-Key: {key}\r\n"
    if range_header:
        headers += f"Range: {range_header}\r\n"
    buffer = bytearray(1024 * 1024)
    view = memoryview(buffer)
    start = time.perf_counter()
    first_byte, body, head = None, 0, b""
    with socket.create_connection((LOOPBACK, port)) as sock:
        sock.sendall((headers + "\r\n").encode())
        while True:
            count = sock.recv_into(view)
            if not count:
                break
            if first_byte is None:
                head += bytes(view[:count])
                if b"\r\n\r\n" not in head:
                    continue
                status_line = head.split(b"\r\n", 1)[0]
                if b" 200 " not in status_line and b" 206 " not in status_line:
                    raise RuntimeError(f"{path}: {status_line!r}")
                first_byte = time.perf_counter() - start
                count = len(head.partition(b"\r\n\r\n")[2])
            body += count
    return first_byte, time.perf_counter() - start, body


def throughput(port, path, key=None):
    """Best of ``ROUNDS`` full downloads, in MiB/s."""
    best = 0.0
    for _ in range(ROUNDS):
        _, seconds, body = fetch(port, path, key)
        assert body == FILE_SIZE, body
        best = max(best, body / seconds / 2**20)
    return best


def ttfb(port, path, key, range_header):
    return statistics.median(fetch(port, path, key, range_header)[0] for _ in range(TTFB_ROUNDS))


def main():
    with tempfile.TemporaryDirectory(prefix="bench-streaming-") as work:
        work = Path(work)
        media = write_media_file(work / "library" / "large.mkv", FILE_SIZE)
        engine = ProvisionedEngine(work / "data", media)
        offload = ProvisionedEngine(work / "data-offload", media, STREAM_OFFLOAD="nginx")
        stream = f"/stream/{engine.asset_id}"
        with (
            engine.server() as server,
            offload.server() as offload_server,
            NginxServer.serving_directory(work / "nginx-direct", media.parent) as direct,
            NginxServer.offloading_for(work / "nginx-offload", offload_server) as front,
        ):
            fetch(direct.port, f"/files/{media.name}")  # into the page cache
            nginx_rate = throughput(direct.port, f"/files/{media.name}")
            engine_rate = throughput(server.port, stream, engine.key)
            offload_rate = throughput(front.port, f"/stream/{offload.asset_id}", offload.key)
            start = ttfb(server.port, stream, engine.key, f"bytes=0-{RANGE_LENGTH - 1}")
            end = ttfb(server.port, stream, engine.key, f"bytes=-{RANGE_LENGTH}")
    print(f"nginx direct:          {nginx_rate:8.0f} MiB/s (baseline)")
    print(f"engine (uvicorn):      {engine_rate:8.0f} MiB/s  = {engine_rate / nginx_rate:6.1%} of nginx (goal >= 50%)")
    print(f"engine + nginx offload:{offload_rate:8.0f} MiB/s  = {offload_rate / nginx_rate:6.1%} of nginx (goal >= 90%)")
    print(f"TTFB first 64 KiB:     {start * 1000:8.2f} ms")
    print(f"TTFB last 64 KiB:      {end * 1000:8.2f} ms  = {end / start:5.2f}x start (goal <= 2x)")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    main()
