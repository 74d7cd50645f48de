"""``manage.py serve``: the engine's production server (uvicorn) with the engine's settings.

uvicorn rather than daphne: it applies write back-pressure, so a slow client streaming a large
file does not make the server buffer the file, and it can refuse a WebSocket upgrade with a real
401 response. daphne still works (``daphne engine.asgi:application``) without those two.
"""

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand

from engine import sole_server, startup


class Command(BaseCommand):
    help = "Serve the engine over HTTP and WebSocket."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)

    def handle(self, host, port, **options):
        config = settings.MEDIA_ENGINE = {
            **settings.MEDIA_ENGINE, "HOST": host or settings.MEDIA_ENGINE["HOST"], "PORT": port or settings.MEDIA_ENGINE["PORT"],
        }
        # The deployment checks about where the engine listens, now that the address is known
        # (``--host`` may differ from MEDIA_ENGINE_HOST); they warn, they do not stop it.
        self.check(tags=["listening"], include_deployment_checks=True)
        # The system checks (engine/checks.py, security/checks.py) have run by now; this one
        # needs the database: on PostgreSQL without Redis, this process must be the only server.
        sole_server.claim()
        # What the apps start beside the server (the library: its task worker and scan watchdog).
        startup.start()
        uvicorn.run(
            "engine.asgi:application",
            host=config["HOST"],
            port=config["PORT"],
            workers=config["WORKERS"],
            # Django's LOGGING (with its redaction filter) configures uvicorn's loggers too.
            log_config=None,
            # The engine reads X-Forwarded-For itself, and only from MEDIA_ENGINE_TRUSTED_PROXIES;
            # uvicorn's own handling would rewrite the peer and fool the localhost bypass.
            proxy_headers=False,
            server_header=False,
            # uvicorn's protocol with a deadline and a size limit for request heads and a
            # connection limit (engine/http_protocol.py); idle kept-alive connections close.
            http="engine.http_protocol:EngineHttpProtocol",
            timeout_keep_alive=config["KEEPALIVE_TIMEOUT"],
            ws_max_size=1024 * 1024,
            # Hub messages are small JSON events sent to many clients: compressing each one per
            # connection costs more CPU than the bytes it saves.
            ws_per_message_deflate=False,
            # The hub keeps its connections alive with SignalR pings (and drops silent clients
            # itself); WebSocket-level pings on top add nothing, and signalrcore, which does not
            # understand ping frames, was dropped 20 s after connecting by them.
            ws_ping_interval=None,
            ws_ping_timeout=None,
            # The lifespan shutdown event runs the apps' shut-down steps (engine/lifespan.py).
            lifespan="on",
        )
