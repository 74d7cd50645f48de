"""Cost of judging a request's body before it is read (security.gate.BodyGate), as a ratio to
the engine's handler (engine/handler.py) without the gate.

A request that carries a body is counted and its key resolved by the gate, in one hop to the
request's thread, and the middleware takes both decisions from it instead of making them again;
a request without a body passes through the gate untouched. Both variants serve the same keyed
endpoint with the same middleware, on the handler's long-lived request threads.
"""

import asyncio
import json

from bench.support import interleaved, report, setup_django

REQUESTS = 400
ROUNDS = 9
BODY = json.dumps({"label": "x" * 200, "role": "Consumer"}).encode()


def main():
    setup_django()
    from django.conf import settings
    from django.test import override_settings

    from engine.handler import EngineASGIHandler
    from security import services
    from security.audit import Actor
    from security.gate import BodyGate

    _, plaintext = services.create_key(label="bench", role="Consumer", actor=Actor("bench"))
    limits = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000000/m"}
    with override_settings(ROOT_URLCONF="bench.urls", MEDIA_ENGINE=limits):
        handler = EngineASGIHandler()
        gated = EngineASGIHandler(gate=BodyGate)
        headers = {"X-Api-Key": plaintext, "Content-Type": "application/json"}

        def run(app, method):
            async def many():
                import httpx

                transport = httpx.ASGITransport(app=app, client=("203.0.113.1", 4000))
                async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                    for _ in range(REQUESTS):
                        kwargs = {"content": BODY} if method == "POST" else {}
                        response = await client.request(method, "/bench/keyed", headers=headers, **kwargs)
                        assert response.status_code == 200, response.text

            asyncio.run(many())

        for app in (handler, gated):  # warm up
            run(app, "POST")
        timings = interleaved(
            ROUNDS,
            post_gated=lambda: run(gated, "POST"),
            post_bare=lambda: run(handler, "POST"),
            get_gated=lambda: run(gated, "GET"),
            get_bare=lambda: run(handler, "GET"),
        )
    per = {name: value / REQUESTS * 1e6 for name, value in timings.items()}
    report("POST with a JSON body, through the gate, µs/request", per["post_gated"], " µs")
    report("POST with a JSON body, without the gate, µs/request", per["post_bare"], " µs")
    report("POST: gate / no gate (ratio)", timings["post_gated"] / timings["post_bare"], "", goal="<= 1.10")
    report("GET without a body: gate / no gate (ratio)", timings["get_gated"] / timings["get_bare"], "", goal="<= 1.02")


if __name__ == "__main__":
    main()
