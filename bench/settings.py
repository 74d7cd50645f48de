"""Benchmark settings: the engine's settings with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("MEDIA_ENGINE_DATA_DIR", tempfile.mkdtemp(prefix="media-engine-bench-"))

from engine.settings import *  # noqa: E402,F401,F403

ALLOWED_HOSTS = ["*"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
