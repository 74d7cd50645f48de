"""Throughput of real routes through a real server, against baselines served by the same uvicorn.

A data directory with a library of 50 works (50 tagged MP3 files, scanned through the API) is
served by ``manage.py serve`` on a random loopback port; ``wrk`` drives it. In the same run, on the
same machine and the same uvicorn:

- ``raw``: a raw ASGI app answering a small JSON body (bench/raw_asgi.py), the server's ceiling;
- ``bare``: a bare Django view listing the same 50 works with their assets in one SQL query, no
  middleware, no DRF (bench/bare_settings.py), the framework's floor;
- the engine's ``GET /system/status``, ``GET /library/works`` and ``GET /library/works/{id}`` with a
  Consumer key, and ``GET /library/works`` through the localhost bypass (no key).

Printed: requests/s of each and the ratios the throughput goals are stated in (works/bare,
status/bare, and the cost of a key over the bypass). Then the growth check: p50 latency of the
first page and of one work at 1,000 and at 100,000 works.

``BENCH_SECONDS`` sets the length of each wrk run (default 8), ``BENCH_CONNECTIONS`` its
connections (default 16).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.support import report
from tests.media_samples import write_mp3
from tests.servers import (
    LOOPBACK, ROOT, EngineServer, ServerProcess, engine_environment, free_port, manage, migrate, port_accepts,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
LIBRARY_WORKS = 50
GROWTH = (1_000, 100_000)
KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")


class Uvicorn(ServerProcess):
    """An ASGI app under uvicorn with the engine's server options (engine/management/commands/serve.py)."""

    def __init__(self, target, env):
        self.port = free_port()
        argv = [
            sys.executable, "-m", "uvicorn", target, "--host", LOOPBACK, "--port", str(self.port),
            "--no-proxy-headers", "--no-server-header", "--lifespan", "off", "--log-level", "warning", "--no-access-log",
        ]
        super().__init__("uvicorn", argv, ready=lambda: port_accepts(self.port), env=env, cwd=ROOT)

    @property
    def url(self):
        return f"http://{LOOPBACK}:{self.port}"


def wrk_binary():
    found = shutil.which("wrk")
    if found is None:
        print("\n" + "!" * 78 + "\n!! wrk is not installed: this benchmark needs it (Debian package `wrk`:\n"
              "!!   apt-get install wrk). The throughput figures below are NOT measured.\n" + "!" * 78, flush=True)
    return found


WRK_RATE = re.compile(r"Requests/sec:\s+([0-9.]+)")
WRK_P50 = re.compile(r"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", re.MULTILINE)
WRK_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def wrk(binary, url, *, key=None, seconds=SECONDS, connections=CONNECTIONS):
    """``(requests/s, p50 seconds)`` of ``url`` under ``wrk``; every answer must be a 2xx."""
    argv = [binary, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if key is not None:
        argv[1:1] = ["-H", f"X-Api-Key: {key}"]
    output = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    failed = WRK_NON_2XX.search(output)
    if failed:
        raise RuntimeError(f"{url}: {failed.group(1)} answers were not 2xx:\n{output}")
    p50 = WRK_P50.search(output)
    return float(WRK_RATE.search(output).group(1)), float(p50.group(1)) * UNIT[p50.group(2)]


def create_key(env, role):
    created = manage(env, "apikey", "create", "--label", f"bench {role}", "--role", role)
    return KEY_PATTERN.search(created.stdout).group(0)


def scan_library(server, folder):
    """Scan ``folder`` through the API (the localhost bypass) and wait for the job to finish."""
    with httpx.Client(base_url=server.url, timeout=60) as client:
        created = client.post("/settings/folders", json={"path": str(folder)})
        assert created.status_code == 201, created.text
        job = client.post("/ingestion/scan", json={"folder_id": created.json()["id"]}).json()
        while job["state"] in ("queued", "running"):
            time.sleep(0.2)
            job = client.get(f"/ingestion/jobs/{job['id']}").json()
        assert job["state"] == "completed" and job["added"] == LIBRARY_WORKS, job
        works = client.get("/library/works", params={"page_size": 1}).json()
        assert works["count"] == LIBRARY_WORKS, works
        return works["results"][0]["id"]


def server_environment(data_dir):
    # Rate limiting stays on, with quotas no benchmark run can reach; no access log (wrk's
    # requests would be most of the work otherwise), as for the baselines.
    return engine_environment(data_dir, LOG_LEVEL="WARNING", RATE_GENERAL="1000000000/m", RATE_STREAM="1000000000/m")


def measure_routes(binary, base):
    library = base / "library"
    library.mkdir()
    for number in range(LIBRARY_WORKS):
        write_mp3(library / f"{number:02}.mp3", title=f"Song {number}", artist=f"Artist {number % 7}",
                  album=f"Album {number // 10}", year=1990 + number, salt=number)
    env = server_environment(base / "data")
    migrate(env)
    consumer = create_key(env, "Consumer")
    rates = {}
    with EngineServer(env) as engine, Uvicorn("bench.raw_asgi:app", env) as raw, Uvicorn("bench.bare_asgi:application", env) as bare:
        work_id = scan_library(engine, library)
        targets = [
            ("raw", f"{raw.url}/", None),
            ("bare", f"{bare.url}/works", None),
            ("status", f"{engine.url}/system/status", None),
            ("works", f"{engine.url}/library/works", consumer),
            ("work", f"{engine.url}/library/works/{work_id}", consumer),
            ("bypass", f"{engine.url}/library/works", None),
        ]
        for _, url, key in targets:  # warm-up: first connections, caches, code paths
            wrk(binary, url, key=key, seconds=1)
        for name, url, key in targets:
            rates[name], _ = wrk(binary, url, key=key)
    report("raw ASGI app, small JSON body, requests/s", rates["raw"])
    report(f"bare Django view, {LIBRARY_WORKS} works in one query, requests/s", rates["bare"])
    report("engine GET /system/status, requests/s", rates["status"])
    report(f"engine GET /library/works ({LIBRARY_WORKS} works, Consumer key), requests/s", rates["works"])
    report("engine GET /library/works/{id} (Consumer key), requests/s", rates["work"])
    report("engine GET /library/works through the localhost bypass, requests/s", rates["bypass"])
    report("works (key) / bare Django view", rates["works"] / rates["bare"], goal=">= 0.5")
    report("system/status / bare Django view", rates["status"] / rates["bare"], goal=">= 1.0")
    report("cost of a key: bypass requests/s / key requests/s", rates["bypass"] / rates["works"], goal="<= 1.1")


def measure_growth(binary, base):
    env = server_environment(base / "growth")
    migrate(env)
    consumer = create_key(env, "Consumer")
    p50 = {}
    with EngineServer(env) as engine:
        for size in GROWTH:
            manage(env, "shell", "-c", f"from bench.seed import grow; grow({size})")
            work_id = size // 2
            for name, path in (("page", "/library/works"), ("work", f"/library/works/{work_id}")):
                url = f"{engine.url}{path}"
                wrk(binary, url, key=consumer, seconds=1, connections=1)
                p50[name, size] = wrk(binary, url, key=consumer, seconds=max(SECONDS // 2, 2), connections=1)[1]
    small, large = GROWTH
    for name, label in (("page", "first page of /library/works"), ("work", "/library/works/{id}")):
        report(f"p50 of the {label} at {small:,} works, ms", p50[name, small] * 1e3, " ms")
        report(f"p50 of the {label} at {large:,} works, ms", p50[name, large] * 1e3, " ms")
        report(f"growth: {label} p50 at {large:,} / at {small:,}", p50[name, large] / p50[name, small], goal="<= 1.5")


def main():
    binary = wrk_binary()
    if binary is None:
        return
    base = Path(tempfile.mkdtemp(prefix="bench-throughput-"))
    try:
        measure_routes(binary, base)
        measure_growth(binary, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
