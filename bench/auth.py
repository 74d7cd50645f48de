"""Cost of key authentication and the role check per request, as a ratio to no authentication.

Both variants go through a full ASGI handler with the same middleware and the same view (one
indexed read, as the lightest real endpoint does), except that the baseline leaves out the
principal middleware and the view's authentication and permission.
Also compares the digest check per key with djangorestframework-api-key's default hasher.
"""

import asyncio

from bench.support import best_of, interleaved, report, setup_django

REQUESTS = 400
ROUNDS = 9


def main():
    setup_django()
    from django.conf import settings
    from django.core.handlers.asgi import ASGIHandler
    from django.test import Client, override_settings

    from security import keys, services
    from security.audit import Actor

    _, plaintext = services.create_key(label="bench", role="Consumer", actor=Actor("bench"))
    limits = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000000/m"}
    with override_settings(ROOT_URLCONF="bench.urls", MEDIA_ENGINE=limits):
        keyed_app = ASGIHandler()
        bare = [name for name in settings.MIDDLEWARE if name != "security.middleware.PrincipalMiddleware"]
        with override_settings(MIDDLEWARE=bare):
            open_app = ASGIHandler()

        def run(app, path, headers):
            async def many():
                import httpx

                transport = httpx.ASGITransport(app=app, client=("203.0.113.1", 4000))
                async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
                    for _ in range(REQUESTS):
                        response = await client.get(path, headers=headers)
                        assert response.status_code == 200, response.text

            asyncio.run(many())

        run(keyed_app, "/bench/keyed", {"X-Api-Key": plaintext})  # warm up both
        run(open_app, "/bench/open", {})
        timings = interleaved(
            ROUNDS,
            keyed=lambda: run(keyed_app, "/bench/keyed", {"X-Api-Key": plaintext}),
            bare=lambda: run(open_app, "/bench/open", {}),
        )
        keyed, bare_time = timings["keyed"], timings["bare"]

        # The same comparison without the ASGI server's per-request overhead (a thread per
        # request, the HTTP client): the strictest view of what authentication itself costs.
        keyed_client, bare_client = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.1")
        with override_settings(MIDDLEWARE=bare):
            bare_client.get("/bench/open")  # the test client loads its middleware on first use

        def sync_run(client, path, **headers):
            for _ in range(REQUESTS):
                assert client.get(path, **headers).status_code == 200

        sync = interleaved(
            ROUNDS,
            keyed=lambda: sync_run(keyed_client, "/bench/keyed", HTTP_X_API_KEY=plaintext),
            bare=lambda: sync_run(bare_client, "/bench/open"),
        )

    report("ASGI request with key auth + role check, µs/request", keyed / REQUESTS * 1e6, " µs")
    report("ASGI request without authentication, µs/request", bare_time / REQUESTS * 1e6, " µs")
    report("ASGI: added latency of authentication (ratio - 1)", keyed / bare_time - 1, "", goal="<= 0.10")
    report("Django handler only: with key auth, µs/request", sync["keyed"] / REQUESTS * 1e6, " µs")
    report("Django handler only: without, µs/request", sync["bare"] / REQUESTS * 1e6, " µs")
    report("Django handler only: added latency (ratio - 1)", sync["keyed"] / sync["bare"] - 1)

    stored = keys.digest(plaintext)
    ours = best_of(ROUNDS, lambda: [keys.verify(plaintext, stored) for _ in range(20000)]) / 20000
    try:
        from rest_framework_api_key.crypto import Sha512ApiKeyHasher
    except ImportError:
        print("djangorestframework-api-key not installed: `pip install -e '.[bench]'`")
        return
    hasher = Sha512ApiKeyHasher()
    encoded = hasher.encode(plaintext, "")
    theirs = best_of(ROUNDS, lambda: [hasher.verify(plaintext, encoded) for _ in range(20000)]) / 20000
    report("digest verify, engine (SHA-256), µs/key", ours * 1e6, " µs")
    report("digest verify, drf-api-key (SHA-512), µs/key", theirs * 1e6, " µs")
    report("engine / drf-api-key verify time (ratio)", ours / theirs)


if __name__ == "__main__":
    main()
