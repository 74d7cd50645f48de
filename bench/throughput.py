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
status/bare, and the cost of a key over the bypass), each the median of ``BENCH_ROUNDS`` runs
taken in turn (so a neighbour's load falls on every target alike); beside them, the CPU time the
serving process spent per request, which a busy machine disturbs far less than requests/s.
Then the growth check: p50 latency of the first page and of one work at 1,000 and at 100,000
works.

``BENCH_SECONDS`` sets the length of each wrk run (default 8), ``BENCH_CONNECTIONS`` its
connections (default 16), ``BENCH_ROUNDS`` the runs per target (default 3).
"""

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import httpx

from bench.support import report
from tests.media_samples import write_mp3
from tests.servers import (
    LOOPBACK, ROOT, EngineServer, ServerProcess, engine_environment, free_port, manage, migrate, port_accepts,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "8"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
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
WRK_REQUESTS = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
UNIT = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


class Run(NamedTuple):
    rate: float  # requests/s
    p50: float  # seconds
    requests: int


def wrk(binary, url, *, key=None, seconds=SECONDS, connections=CONNECTIONS):
    """One ``wrk`` run against ``url``; every answer must be a 2xx."""
    argv = [binary, "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if key is not None:
        argv[1:1] = ["-H", f"X-Api-Key: {key}"]
    output = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    failed = WRK_NON_2XX.search(output)
    if failed:
        raise RuntimeError(f"{url}: {failed.group(1)} answers were not 2xx:\n{output}")
    p50 = WRK_P50.search(output)
    return Run(float(WRK_RATE.search(output).group(1)), float(p50.group(1)) * UNIT[p50.group(2)],
               int(WRK_REQUESTS.search(output).group(1)))


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    """User and system CPU time of process ``pid`` so far, all its threads together."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wrk_with_cpu(binary, url, pid, **options):
    """``(requests/s, CPU seconds of process pid per request)`` of one wrk run against ``url``."""
    before = cpu_seconds(pid)
    run = wrk(binary, url, **options)
    return run.rate, (cpu_seconds(pid) - before) / max(run.requests, 1)


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
    runs = {}
    with EngineServer(env) as engine, Uvicorn("bench.raw_asgi:app", env) as raw, Uvicorn("bench.bare_asgi:application", env) as bare:
        work_id = scan_library(engine, library)
        targets = [
            ("raw", f"{raw.url}/", None, raw),
            ("bare", f"{bare.url}/works", None, bare),
            ("status", f"{engine.url}/system/status", None, engine),
            ("works", f"{engine.url}/library/works", consumer, engine),
            ("work", f"{engine.url}/library/works/{work_id}", consumer, engine),
            ("bypass", f"{engine.url}/library/works", None, engine),
        ]
        for _, url, key, _ in targets:  # warm-up: first connections, caches, code paths
            wrk(binary, url, key=key, seconds=1)
        for _ in range(ROUNDS):
            for name, url, key, server in targets:
                runs.setdefault(name, []).append(wrk_with_cpu(binary, url, server.process.pid, key=key))
    rates = {name: statistics.median(rate for rate, _ in measured) for name, measured in runs.items()}
    cpu = {name: statistics.median(spent for _, spent in measured) for name, measured in runs.items()}
    labels = [
        ("raw", "raw ASGI app, small JSON body"),
        ("bare", f"bare Django view, {LIBRARY_WORKS} works in one query"),
        ("status", "engine GET /system/status"),
        ("works", f"engine GET /library/works ({LIBRARY_WORKS} works, Consumer key)"),
        ("work", "engine GET /library/works/{id} (Consumer key)"),
        ("bypass", "engine GET /library/works through the localhost bypass"),
    ]
    for name, label in labels:
        report(f"{label}, requests/s", rates[name])
    for name, label in labels:
        report(f"{label}, CPU ms/request", cpu[name] * 1e3, " ms")
    report("works (key) / bare Django view", rates["works"] / rates["bare"], goal=">= 0.5")
    report("system/status / bare Django view", rates["status"] / rates["bare"], goal=">= 1.0")
    report("cost of a key: bypass requests/s / key requests/s", rates["bypass"] / rates["works"], goal="<= 1.1")
    report("by CPU: works (key) / bare Django view", cpu["bare"] / cpu["works"], goal=">= 0.5")
    report("by CPU: system/status / bare Django view", cpu["bare"] / cpu["status"], goal=">= 1.0")
    report("by CPU: cost of a key over the bypass", cpu["works"] / cpu["bypass"], goal="<= 1.1")


def measure_growth(binary, base):
    """p50 latency (and CPU per request) at each library size, one server per size, measured in
    turn round by round; with one connection, p50 is the service time a quiet machine would show,
    and what neighbours add to it the CPU figure leaves out."""
    keys, servers, cpu = {}, {}, {}
    for size in GROWTH:
        env = server_environment(base / f"growth-{size}")
        migrate(env)
        keys[size] = create_key(env, "Consumer")
        manage(env, "shell", "-c", f"from bench.seed import grow; grow({size})")
        servers[size] = EngineServer(env)
    p50 = {}
    try:
        for server in servers.values():
            server.start()
        targets = [("page", size, f"{servers[size].url}/library/works") for size in GROWTH]
        targets += [("work", size, f"{servers[size].url}/library/works/{size // 2}") for size in GROWTH]
        for name, size, url in targets:
            wrk(binary, url, key=keys[size], seconds=1, connections=1)
        for _ in range(ROUNDS):
            for name, size, url in targets:
                pid = servers[size].process.pid
                before = cpu_seconds(pid)
                run = wrk(binary, url, key=keys[size], seconds=max(SECONDS // 2, 2), connections=1)
                p50.setdefault((name, size), []).append(run.p50)
                cpu.setdefault((name, size), []).append((cpu_seconds(pid) - before) / max(run.requests, 1))
    finally:
        for server in servers.values():
            server.stop()
    p50 = {target: statistics.median(values) for target, values in p50.items()}
    cpu = {target: statistics.median(values) for target, values in cpu.items()}
    small, large = GROWTH
    for name, label in (("page", "first page of /library/works"), ("work", "/library/works/{id}")):
        report(f"p50 of the {label} at {small:,} works, ms", p50[name, small] * 1e3, " ms")
        report(f"p50 of the {label} at {large:,} works, ms", p50[name, large] * 1e3, " ms")
        report(f"growth: {label} p50 at {large:,} / at {small:,}", p50[name, large] / p50[name, small], goal="<= 1.5")
        report(f"growth by CPU: {label} at {large:,} / at {small:,}", cpu[name, large] / cpu[name, small], goal="<= 1.5")


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
