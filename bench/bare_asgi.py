"""ASGI entry point of the Django baseline (bench/bare_settings.py) for uvicorn."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.bare_settings"

from django.core.asgi import get_asgi_application  # noqa: E402

application = get_asgi_application()
