"""Requests per second of an authenticated browse endpoint with one and with two server processes.

Everything runs on loopback: a throwaway PostgreSQL cluster and ``redis-server`` (the helpers
the scale-out tests use), a library of a few dozen works scanned in, and ``manage.py serve``
processes with ``MEDIA_ENGINE_TASK_WORKER=external``. The load is ``GET /library/works`` with a
Consumer key, from separate processes (``wrk`` when installed, else an asyncio httpx client),
for a bounded time, split evenly over the servers. Figures: the two-process rate as a ratio of
the one-process rate measured in the same run, and the per-process psycopg pool against
opening a connection per request.

On a two-core machine the load generator, PostgreSQL and Redis share the cores with the
servers, so the ratio is a floor for what a second host (with its own cores) adds.
"""

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SECONDS = 8
CONNECTIONS = 16
WORKS = 40
PATH = "/library/works"


def _wrk(urls, key, seconds, connections):
    """Total requests per second over ``urls`` with one ``wrk`` process per URL, run together."""
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    os.chmod(script.name, 0o600)
    script.write(f'wrk.headers["X-Api-Key"] = "{key}"\n')
    script.close()
    try:
        per_url = max(1, connections // len(urls))
        runs = [
            subprocess.Popen(
                ["wrk", "-t1", f"-c{per_url}", f"-d{seconds}s", "-s", script.name, url + PATH],
                stdout=subprocess.PIPE, text=True,
            )
            for url in urls
        ]
        total = 0.0
        for run in runs:
            output, _ = run.communicate()
            if "Non-2xx" in output:
                raise RuntimeError(f"the load met errors:\n{output}")
            total += float(next(line for line in output.splitlines() if line.startswith("Requests/sec:")).split()[1])
        return total
    finally:
        os.unlink(script.name)


async def _load(url, key, seconds, connections):
    import httpx

    deadline = time.monotonic() + seconds
    done = 0

    async def one_connection(client):
        nonlocal done
        while time.monotonic() < deadline:
            response = await client.get(url + PATH)
            if response.status_code != 200:
                raise RuntimeError(f"{response.status_code}: {response.text[:200]}")
            done += 1

    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(headers={"X-Api-Key": key}, limits=limits, timeout=30) as client:
        await asyncio.gather(*(one_connection(client) for _ in range(connections)))
    return done / seconds


def _python_load(urls, key, seconds, connections):
    """The fallback without ``wrk``: one load process per URL, this module's ``load`` entry point."""
    per_url = max(1, connections // len(urls))
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.scale", "load", url, str(seconds), str(per_url)],
            env={**os.environ, "BENCH_API_KEY": key}, stdout=subprocess.PIPE, text=True,
        )
        for url in urls
    ]
    return sum(float(run.communicate()[0].strip()) for run in runs)


def requests_per_second(urls, key, *, seconds=SECONDS, connections=CONNECTIONS):
    if shutil.which("wrk"):
        return _wrk(urls, key, seconds, connections)
    return _python_load(urls, key, seconds, connections)


def _library(folder, count):
    from tests.media_samples import write_mp3

    folder.mkdir()
    for number in range(count):
        write_mp3(folder / f"track-{number:03}.mp3", title=f"Track {number}", artist="Bench", album="Scale", salt=number)
    return folder


def main():
    from tests.servers import EngineServer, PostgresServer, RedisServer, engine_environment, manage

    import secrets

    generator = "wrk" if shutil.which("wrk") else "httpx (asyncio)"
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch, PostgresServer() as postgres, RedisServer() as redis:
        scratch = Path(scratch)
        shared = {
            "DATABASE_URL": postgres.url(),
            "REDIS_URL": redis.url,
            "TASK_WORKER": "external",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "RATE_GENERAL": "100000000/m",
        }
        environments = [engine_environment(scratch / f"host-{n}", **shared) for n in (1, 2)]
        unpooled = [engine_environment(scratch / "unpooled", DATABASE_POOL=0, **shared)]
        manage(environments[0], "migrate", "--no-input")
        music = _library(scratch / "music", WORKS)
        admin = manage(environments[0], "apikey", "create", "--label", "bench-admin", "--role", "Administrator").stdout.strip()
        key = manage(environments[0], "apikey", "create", "--label", "bench", "--role", "Consumer").stdout.strip()
        with EngineServer(environments[0]) as server:
            import httpx

            folder = httpx.post(f"{server.url}/settings/folders", headers={"X-Api-Key": admin}, json={"path": str(music)})
            folder.raise_for_status()
        manage(environments[0], "scan", str(folder.json()["id"]))

        with EngineServer(environments[0]) as first:
            requests_per_second([first.url], key, seconds=2)  # warm-up
            one = requests_per_second([first.url], key)
            with EngineServer(environments[1]) as second:
                requests_per_second([second.url], key, seconds=2)
                two = requests_per_second([first.url, second.url], key)
        with EngineServer(unpooled[0]) as alone:
            requests_per_second([alone.url], key, seconds=2)
            without_pool = requests_per_second([alone.url], key)

    print(f"load: {generator}, {CONNECTIONS} connections, {SECONDS} s per figure, GET {PATH} ({WORKS} works), Consumer key")
    print(f"{'one server process (psycopg pool)':<58} {one:>10.1f} req/s")
    print(f"{'two server processes (psycopg pool)':<58} {two:>10.1f} req/s")
    print(f"{'one server process, a connection per request':<58} {without_pool:>10.1f} req/s")
    print(f"{'ratio two processes / one':<58} {two / one:>10.2f}x")
    print(f"{'ratio pool / a connection per request (one process)':<58} {one / without_pool:>10.2f}x", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["load"]:
        url, seconds, connections = sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
        print(asyncio.run(_load(url, os.environ["BENCH_API_KEY"], seconds, connections)))
    else:
        main()
