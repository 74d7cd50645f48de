"""Soak: a real engine under concurrent streaming, browsing, hub clients and a rescan loop.

``make soak`` (or ``python -m bench.soak``) runs it for ``SOAK_SECONDS`` (default 180) against a
``manage.py serve`` process on loopback and fails (exit status 1) when:
- any response is a 5xx or a 4xx the scenario did not ask for;
- the server's resident memory or open file descriptors (``/proc/<pid>/status``, ``/proc/<pid>/fd``)
  grew beyond a bound between the end of the warm-up and the end of the run;
- any hub client missed an event: every client must see one ``MediaAdded`` per file the rescan
  loop added and one ``IngestionCompleted`` per scan.
It prints the figures either way. Not part of ``make test`` or ``make bench``.
"""

import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.fault_support import Engine, write_wav

RS = "\x1e"
STREAMERS = 4
BROWSERS = 4
HUB_CLIENTS = 6
STREAM_FILE_SIZE = 8 * 1024 * 1024
RSS_BOUND_KB = 32 * 1024
FD_BOUND = 16


def process_figures(pid):
    """``(resident KiB, open descriptors)`` of process ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


class Soak:
    def __init__(self, engine, library, seconds):
        self.engine, self.library, self.seconds = engine, library, seconds
        self.base = engine.server.url
        self.headers = {"X-Api-Key": engine.key}
        self.requests = 0
        self.errors = []
        self.scans = 0
        self.files_added = 0
        self.delivered = [{"MediaAdded": 0, "IngestionCompleted": 0} for _ in range(HUB_CLIENTS)]
        self.deadline = None

    def check(self, response, expected):
        self.requests += 1
        if response.status_code not in expected:
            self.errors.append(f"{response.request.method} {response.request.url.path}: {response.status_code} {response.text[:200]}")

    async def streamer(self, client, asset_id, size):
        while time.monotonic() < self.deadline:
            first = random.randrange(0, size - 1)
            last = min(size - 1, first + random.randrange(1, 512 * 1024))
            response = await client.get(f"/stream/{asset_id}", headers={"Range": f"bytes={first}-{last}"})
            self.check(response, (206,))
            if response.status_code == 206 and len(response.content) != last - first + 1:
                self.errors.append(f"stream range {first}-{last}: {len(response.content)} bytes")

    async def browser(self, client):
        while time.monotonic() < self.deadline:
            page = await client.get("/library/works", params={"page_size": 50, "q": random.choice(["", "track", "zz"])})
            self.check(page, (200,))
            results = page.json().get("results", []) if page.status_code == 200 else []
            if results:
                self.check(await client.get(f"/library/works/{random.choice(results)['id']}"), (200,))
            self.check(await client.get("/ingestion/jobs"), (200,))

    async def rescanner(self, client, folder_id):
        number = 0
        while time.monotonic() < self.deadline:
            write_wav(self.library / "added" / f"new-{number:05d}.wav", salt=f"soak-{number}")
            number += 1
            started = await client.post("/ingestion/scan", json={"folder_id": folder_id})
            self.check(started, (202,))
            if started.status_code != 202:
                continue
            job_id = started.json()["id"]
            while True:
                job = await client.get(f"/ingestion/jobs/{job_id}")
                self.check(job, (200,))
                state = job.json().get("state")
                if state in ("completed", "failed"):
                    break
                await asyncio.sleep(0.2)
            if state != "completed" or job.json()["added"] != 1:
                self.errors.append(f"scan {job_id}: {job.json()}")
            self.scans += 1
            self.files_added += job.json()["added"]
            await asyncio.sleep(1.0)

    async def hub_client(self, index, ready, done):
        from websockets.asyncio.client import connect

        async with connect(f"ws://127.0.0.1:{self.engine.server.port}/hubs/intercom", additional_headers=self.headers) as socket:
            await socket.send(json.dumps({"protocol": "json", "version": 1}) + RS)
            assert await socket.recv() == "{}" + RS
            ready.set()
            last_ping = time.monotonic()
            while not done.is_set():
                if time.monotonic() - last_ping > 10:
                    await socket.send(json.dumps({"type": 6}) + RS)
                    last_ping = time.monotonic()
                try:
                    frame = await asyncio.wait_for(socket.recv(), 1.0)
                except TimeoutError:
                    continue
                for record in frame.split(RS)[:-1]:
                    message = json.loads(record)
                    if message.get("type") == 1 and message.get("target") in self.delivered[index]:
                        self.delivered[index][message["target"]] += 1
                    elif message.get("type") == 7:
                        self.errors.append(f"hub client {index} closed by the server: {message}")
                        return

    async def run(self, asset_id, size, folder_id):
        pid = self.engine.pid
        readies = [asyncio.Event() for _ in range(HUB_CLIENTS)]
        done = asyncio.Event()
        hubs = [asyncio.create_task(self.hub_client(index, readies[index], done)) for index in range(HUB_CLIENTS)]
        await asyncio.gather(*(ready.wait() for ready in readies))
        limits = httpx.Limits(max_connections=STREAMERS + BROWSERS + 2)
        async with httpx.AsyncClient(base_url=self.base, headers=self.headers, timeout=60, limits=limits) as client:
            started = time.monotonic()
            self.deadline = started + self.seconds
            workers = [asyncio.create_task(self.streamer(client, asset_id, size)) for _ in range(STREAMERS)]
            workers += [asyncio.create_task(self.browser(client)) for _ in range(BROWSERS)]
            workers.append(asyncio.create_task(self.rescanner(client, folder_id)))
            await asyncio.sleep(min(30, self.seconds * 0.2))  # warm-up: caches, pools, first scans
            warm = process_figures(pid)
            await asyncio.gather(*workers)
            await asyncio.sleep(3)  # let the last events reach every client
            done.set()
            await asyncio.gather(*hubs)
            end = process_figures(pid)
            elapsed = time.monotonic() - started
        return warm, end, elapsed


def main():
    seconds = float(os.environ.get("SOAK_SECONDS", "180"))
    scratch = Path(tempfile.mkdtemp(prefix="media-engine-soak-"))
    library = scratch / "library"
    for number in range(40):
        write_wav(library / "base" / f"track-{number:03d}.wav", salt=f"base-{number}")
    stream_file = library / "stream.wav"
    write_wav(stream_file, salt="stream", frames=STREAM_FILE_SIZE // 2)
    engine = Engine(scratch / "data", RATE_GENERAL="1000000/m", RATE_STREAM="1000000/m", RATE_KEYGEN="1000/m")
    with engine.serve():
        folder_id = engine.add_folder(library)
        engine.wait_for_job(engine.start_scan(folder_id))
        (asset_id,) = [
            asset["id"] for work in engine.works() for asset in work["assets"]
            if any(location["path"].endswith("stream.wav") for location in asset["locations"])
        ]
        size = stream_file.stat().st_size
        start = process_figures(engine.pid)
        soak = Soak(engine, library, seconds)
        warm, end, elapsed = asyncio.run(soak.run(asset_id, size, folder_id))

    expected = {"MediaAdded": soak.files_added, "IngestionCompleted": soak.scans}
    short = [(index, counts) for index, counts in enumerate(soak.delivered) if counts != expected]
    rss_growth, fd_growth = end[0] - warm[0], end[1] - warm[1]
    print(f"duration            {elapsed:.0f} s")
    print(f"requests            {soak.requests} ({soak.requests / elapsed:.0f}/s), errors {len(soak.errors)}")
    print(f"scans               {soak.scans}, files added {soak.files_added}")
    print(f"RSS                 start {start[0] / 1024:.1f} MiB, after warm-up {warm[0] / 1024:.1f} MiB, end {end[0] / 1024:.1f} MiB (growth {rss_growth / 1024:+.1f} MiB, bound {RSS_BOUND_KB / 1024:.0f})")
    print(f"open descriptors    start {start[1]}, after warm-up {warm[1]}, end {end[1]} (growth {fd_growth:+d}, bound {FD_BOUND})")
    print(f"events per client   expected {expected}; delivered to all {HUB_CLIENTS} clients: {not short}")
    for index, counts in short:
        print(f"  client {index} got {counts}")
    for error in soak.errors[:20]:
        print(f"  error: {error}")
    failed = soak.errors or short or rss_growth > RSS_BOUND_KB or fd_growth > FD_BOUND
    print("soak: FAILED" if failed else "soak: passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
