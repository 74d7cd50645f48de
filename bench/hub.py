"""The Intercom under load: event fan-out to 500 clients, and revocation to socket close.

The engine runs in a child process as ``manage.py serve`` runs it (uvicorn, the same options,
the in-memory channel layer of the embedded default), with one extra thread that calls
``intercom.events.publish`` when this process asks, as a scan's worker thread would. The clients
are plain ``websockets`` connections in one asyncio process speaking the SignalR JSON protocol.

- fan-out: the time from ``publish`` to each client's receipt (``time.monotonic`` is one clock
  for both processes on Linux), p50/p99 over every (event, client) pair; baseline: the same
  with a single client. Goal p99 ≤ 100 ms at 500 clients.
- revocation: the time from sending ``DELETE /admin/api-keys/{id}`` to each of the key's
  sockets closing; baseline: a key with one socket. Goal ≤ 1 s for all 500.

Run: ``.venv/bin/python -m bench.hub`` (``CLIENTS=…`` and ``EVENTS=…`` override the sizes).
"""

import asyncio
import json
import multiprocessing
import os
import re
import statistics
import tempfile
import time

import httpx

from tests.servers import LOOPBACK, engine_environment, free_port, manage, port_accepts

CLIENTS = int(os.environ.get("CLIENTS", 500))
EVENTS = int(os.environ.get("EVENTS", 20))
#: Seconds between events: a scan publishes progress a few times a second.
PAUSE = float(os.environ.get("PAUSE", 0.25))
RS = "\x1e"
KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")


def _serve(env, port, commands):
    """The child: the engine under uvicorn, plus a thread publishing on request."""
    import threading

    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    import logging

    import uvicorn

    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "django"):
        logging.getLogger(name).setLevel(logging.WARNING)

    from intercom.events import publish

    def publisher():
        while True:
            sequence = commands.recv()
            if sequence is None:
                return
            publish("MediaAdded", {"sequence": sequence, "sentAt": time.monotonic()})

    threading.Thread(target=publisher, daemon=True).start()
    uvicorn.run(
        "engine.asgi:application", host=LOOPBACK, port=port, log_config=None, log_level="warning",
        proxy_headers=False, server_header=False, ws_max_size=1024 * 1024, lifespan="off",
        http="engine.http_protocol:EngineHttpProtocol",
    )


class Engine:
    def __init__(self, data_dir):
        self.env = engine_environment(data_dir, RATE_GENERAL="1000000/m", LOCALHOST_BYPASS="false", LOG_LEVEL="WARNING")
        self.env["MEDIA_ENGINE_WORKERS"] = "1"
        manage(self.env, "migrate", "--no-input")
        self.admin_key = self.create_key("Administrator")[1]
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        context = multiprocessing.get_context("spawn")
        self.commands, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(self.env, self.port, child_end), daemon=True)

    def create_key(self, role):
        created = manage(self.env, "apikey", "create", "--label", f"bench {role}", "--role", role)
        return re.search(r"Created key (\d+)", created.stderr).group(1), KEY_PATTERN.search(created.stdout).group(0)

    def __enter__(self):
        self.process.start()
        deadline = time.monotonic() + 60
        while not port_accepts(self.port):
            if time.monotonic() > deadline or not self.process.is_alive():
                raise RuntimeError("the engine did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc_info):
        self.commands.send(None)
        self.process.terminate()
        self.process.join(10)


async def open_hub(engine, key):
    import websockets

    socket = await websockets.connect(
        engine.url.replace("http", "ws") + "/hubs/intercom",
        additional_headers={"X-Api-Key": key}, open_timeout=30, ping_interval=None,
    )
    await socket.send(json.dumps({"protocol": "json", "version": 1}) + RS)
    assert await socket.recv() == "{}" + RS
    return socket


async def open_many(engine, key, count):
    sockets = []
    for start in range(0, count, 50):
        sockets += await asyncio.gather(*(open_hub(engine, key) for _ in range(min(50, count - start))))
    return sockets


async def listen(socket, latencies, closed_at):
    import websockets

    try:
        async for frame in socket:
            received = time.monotonic()
            for record in frame.split(RS)[:-1]:
                message = json.loads(record)
                if message.get("target") == "MediaAdded":
                    latencies.append(received - message["arguments"][0]["sentAt"])
    except websockets.ConnectionClosed:
        pass
    closed_at.append(time.monotonic())


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


async def measure(engine, clients):
    """``(fan-out latencies, revocation-to-close times)`` with ``clients`` sockets on one key."""
    key_id, key = engine.create_key("Consumer")
    sockets = await open_many(engine, key, clients)
    latencies, closed_at = [], []
    listeners = [asyncio.create_task(listen(socket, latencies, closed_at)) for socket in sockets]
    await asyncio.sleep(0.5)
    for sequence in range(EVENTS):
        engine.commands.send(sequence)
        await asyncio.sleep(PAUSE)
    deadline = time.monotonic() + 10
    while len(latencies) < EVENTS * clients and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert len(latencies) == EVENTS * clients, f"{len(latencies)} of {EVENTS * clients} events arrived"
    async with httpx.AsyncClient(base_url=engine.url, headers={"X-Api-Key": engine.admin_key}) as http:
        (await http.get("/admin/api-keys")).raise_for_status()  # warm: imports, connection
        revoked_at = time.monotonic()
        response = await http.delete(f"/admin/api-keys/{key_id}")
        assert response.status_code == 200, response.text
    await asyncio.wait_for(asyncio.gather(*listeners), 30)
    return latencies, [closed - revoked_at for closed in closed_at]


def main():
    with tempfile.TemporaryDirectory(prefix="bench-hub-") as data_dir, Engine(data_dir) as engine:
        base_latencies, base_revocation = asyncio.run(measure(engine, 1))
        latencies, revocation = asyncio.run(measure(engine, CLIENTS))
    base_p50 = statistics.median(base_latencies)
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    print(f"fan-out, 1 client:            p50 {base_p50 * 1000:8.2f} ms  p99 {percentile(base_latencies, 0.99) * 1000:8.2f} ms")
    print(f"fan-out, {CLIENTS} clients:        p50 {p50 * 1000:8.2f} ms  p99 {p99 * 1000:8.2f} ms   (goal p99 ≤ 100 ms)")
    print(f"  ratio p50 {p50 / base_p50:6.1f}× / p99 {p99 / base_p50:6.1f}× the 1-client p50")
    print(f"revocation → close, 1 socket:  {max(base_revocation) * 1000:8.2f} ms")
    print(
        f"revocation → close, {CLIENTS} sockets: p50 {percentile(revocation, 0.5) * 1000:8.2f} ms"
        f"  last {max(revocation) * 1000:8.2f} ms   (goal ≤ 1000 ms)"
    )
    print(f"  ratio last/1-socket {max(revocation) / max(base_revocation):6.1f}×", flush=True)


if __name__ == "__main__":
    main()
