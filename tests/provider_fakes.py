"""A local stand-in for TMDB and MusicBrainz, and a sealed-off secret-store environment.

The fake answers with the shapes the services document (see library/providers/tmdb.py and
musicbrainz.py); each test scripts the answers it needs and reads back what was asked.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail


class Reply:
    def __init__(self, status=200, body=None, raw=None, headers=None, delay=0.0):
        self.status, self.body, self.raw, self.headers, self.delay = status, body, raw, headers or {}, delay


class FakeProvider:
    """``fake.route("/3/search/movie", Reply(...), Reply(...))``: replies in turn, the last repeats."""

    def __init__(self):
        self.routes, self.requests = {}, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                fake.requests.append({
                    "path": parts.path, "query": parse_qs(parts.query), "headers": dict(self.headers),
                    "at": time.monotonic(),
                })
                replies = fake.routes.get(parts.path)
                reply = (replies.pop(0) if len(replies) > 1 else replies[0]) if replies else Reply(404, {"status_code": 34})
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.raw if reply.raw is not None else json.dumps(reply.body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def route(self, path, *replies):
        self.routes[path] = list(replies)

    def asked(self, path):
        return [request for request in self.requests if request["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_provider():
    fake = FakeProvider()
    yield fake
    fake.close()


@pytest.fixture
def providers_at(settings, fake_provider):
    """Point both providers' base URLs at the fake server."""
    settings.MEDIA_ENGINE = {
        **settings.MEDIA_ENGINE,
        "TMDB_URL": fake_provider.url + "/3",
        "MUSICBRAINZ_URL": fake_provider.url + "/ws/2",
    }
    return fake_provider


class MemoryKeyring(KeyringBackend):
    """An OS keyring stand-in that keeps passwords in memory, ranked like a real backend."""

    priority = 5

    def __init__(self):
        super().__init__()
        self.passwords = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        self.passwords.pop((service, username), None)


class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's file backend, which writes secrets unencrypted."""

    priority = 0.5


@pytest.fixture
def no_key_source(settings, monkeypatch, tmp_path):
    """No master key anywhere: no env, no file, no credential, the fail keyring, no key file allowed."""
    monkeypatch.delenv("MEDIA_ENGINE_MASTER_KEY", raising=False)
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    settings.MEDIA_ENGINE = {
        **settings.MEDIA_ENGINE,
        "DATA_DIR": data_dir,
        "MASTER_KEY_FILE": None,
        "ALLOW_KEYFILE": False,
        "EMBEDDED_DATABASE": False,
    }
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield data_dir
    keyring.set_keyring(previous)


@pytest.fixture
def env_master_key(no_key_source, monkeypatch):
    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode()
    monkeypatch.setenv("MEDIA_ENGINE_MASTER_KEY", key)
    return key
