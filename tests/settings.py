"""Test settings: the engine's own settings, with a throwaway data directory."""

import os
import tempfile

os.environ.setdefault("MEDIA_ENGINE_DATA_DIR", tempfile.mkdtemp(prefix="media-engine-test-"))
os.environ.setdefault("MEDIA_ENGINE_SECRET_KEY", "test-only-signing-key-not-a-secret")
# Generous quotas so other behaviours' tests never meet a 429; the rate-limit tests set the real ones.
for _policy in ("KEYGEN", "STREAM", "GENERAL"):
    os.environ.setdefault(f"MEDIA_ENGINE_RATE_{_policy}", "10000/m")

# Metadata look-ups after a scan must never reach the real TMDB or MusicBrainz from the suite:
# nothing listens on the discard port, so a look-up fails at once; provider tests start fakes.
for _provider in ("TMDB", "MUSICBRAINZ"):
    os.environ.setdefault(f"MEDIA_ENGINE_{_provider}_URL", "http://127.0.0.1:9")

# In-process requests note key uses for the test to flush (security.key_use.flush): a writer
# thread would write into the tests' database behind their transactions. Servers started by
# tests get the default interval.
os.environ.setdefault("MEDIA_ENGINE_KEY_USE_FLUSH", "0")

from engine.settings import *  # noqa: E402,F401,F403

ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", "testserver", "media.example.test"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
