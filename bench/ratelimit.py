"""Per-request cost of the rate limiter, local memory and Redis, against the same endpoint without it.

Requests go through Django's ASGI handler with the engine's middleware stack, as a server would
send them, to ``GET /system/status`` from a remote address (no key, no database query). The
baseline is the same stack without ``RateLimitMiddleware``; all variants run interleaved in the
same process, and each figure is the median of several rounds.
"""

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

REQUESTS = 400
ROUNDS = 7
CHECKS = 3000
MIDDLEWARE_PATH = "security.ratelimit.RateLimitMiddleware"
UNLIMITED = "1000000000/m"


def _scope():
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/system/status",
        "raw_path": b"/system/status",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"media.example.test")],
        "client": ("203.0.113.10", 50123),
        "server": ("127.0.0.1", 8000),
    }


async def _one(handler):
    status = None
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        # After the body, Django listens for a disconnect until the response is sent.
        await asyncio.Event().wait()

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await handler(_scope(), receive, send)
    if status != 200:
        raise RuntimeError(f"benchmark request answered {status}")


def _per_request(handler):
    async def run():
        started = time.perf_counter()
        for _ in range(REQUESTS):
            await _one(handler)
        return (time.perf_counter() - started) / REQUESTS

    return asyncio.run(run())


def _handler(middleware, caches=None):
    """A fresh ASGI handler built with ``middleware`` (and ``caches``, if given)."""
    from django.core.handlers.asgi import ASGIHandler
    from django.test.utils import override_settings

    overrides = {"MIDDLEWARE": middleware}
    if caches:
        overrides["CACHES"] = caches
    with override_settings(**overrides):
        handler = ASGIHandler()
    return handler, overrides


def _start_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        return None, None
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    return process, f"redis://127.0.0.1:{port}/0"


def _check_rate_cost(overrides):
    """Seconds per :func:`check_rate` call alone, under ``overrides`` (the cache to use)."""
    from django.test.utils import override_settings

    from security.ratelimit import GENERAL, check_rate
    from security.request_facts import RequestFacts

    facts = RequestFacts(peer="203.0.113.10", scheme="http", host="h", method="GET", path="/system/status", headers={})
    with override_settings(**overrides):
        started = time.perf_counter()
        for _ in range(CHECKS):
            check_rate(facts, GENERAL)
        return (time.perf_counter() - started) / CHECKS


def main():
    import django
    from django.conf import settings
    from django.test.utils import override_settings

    django.setup()
    settings.MEDIA_ENGINE.update(RATE_GENERAL=UNLIMITED, RATE_STREAM=UNLIMITED, RATE_KEYGEN=UNLIMITED)
    with_limiter = list(settings.MIDDLEWARE)
    without = [name for name in with_limiter if name != MIDDLEWARE_PATH]

    variants = {"without limiter": _handler(without), "limiter, local memory": _handler(with_limiter)}
    redis, redis_url = _start_redis()
    if redis_url:
        redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}}
        variants["limiter, Redis"] = _handler(with_limiter, caches=redis_cache)
    else:
        print("redis-server not installed: the Redis figures are skipped", flush=True)
    try:
        timings = {name: [] for name in variants}
        for name, (handler, overrides) in variants.items():  # warm-up
            with override_settings(**overrides):
                _per_request(handler)
        for _ in range(ROUNDS):
            for name, (handler, overrides) in variants.items():
                with override_settings(**overrides):
                    timings[name].append(_per_request(handler))
        baseline = statistics.median(timings["without limiter"])
        print(f"{'GET /system/status through the ASGI handler':<46} {'per request':>12} {'ratio':>7}")
        for name, values in timings.items():
            median = statistics.median(values)
            print(f"  {name:<44} {median * 1e6:>9.0f} µs {median / baseline:>6.2f}x", flush=True)
        print(f"{'check_rate() alone':<46} {'per call':>12}")
        for name, (_, overrides) in variants.items():
            if name != "without limiter":
                print(f"  {name:<44} {_check_rate_cost(overrides) * 1e6:>9.1f} µs", flush=True)
    finally:
        if redis is not None:
            redis.terminate()
            redis.wait()


if __name__ == "__main__":
    main()
