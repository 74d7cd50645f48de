"""The ASGI application: Django for HTTP, the Intercom hub for WebSockets."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "engine.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402

from intercom.routing import websocket_application  # noqa: E402

application = ProtocolTypeRouter({"http": django_application, "websocket": websocket_application})
