"""The ASGI application: Django for HTTP (engine/handler.py) behind the body gate, the Intercom
hub for WebSockets.

The WebSocket router and the HTTP gate are named by the ``WEBSOCKET_APPLICATION`` and
``HTTP_GATE`` settings, as ``ROOT_URLCONF`` names the URL conf, so the engine's base imports no app.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")

import django  # noqa: E402

django.setup(set_prefix=False)

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

from engine.handler import EngineASGIHandler  # noqa: E402

django_application = EngineASGIHandler(gate=import_string(settings.HTTP_GATE))

from engine import lifespan  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_application,
        "websocket": import_string(settings.WEBSOCKET_APPLICATION),
        "lifespan": lifespan.application,
    }
)
