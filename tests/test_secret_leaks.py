"""After secrets are stored and used, their plaintext is nowhere but in memory.

Checked: the database (the test database copied page by page to a file, and a real SQLite file
written by ``manage.py providersecret``), every file in the data directory, and every log record
at DEBUG level, including httpx's request lines.
"""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from library.metadata.services import record_claims, resolve_work
from library.models import Work
from library.providers import tasks
from library.providers.base import RateGate
# Imported up front: loading the ASGI app runs django.setup(), whose logging configuration
# would otherwise replace the handlers caplog installed, half-way through the first test.
import engine.asgi  # noqa: E402,F401
from tests.provider_fakes import Reply, fake_provider, no_key_source, providers_at  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
TMDB_V3_KEY = "5ecre7000000000000000000000000ab"
TMDB_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJsZWFrIjoidGVzdCJ9.c2VjcmV0LXNpZ25hdHVyZQ"
MUSICBRAINZ_SECRET = "mb-secret-that-must-not-leak-7781"


def files_containing(directory, needles):
    found = []
    for path in Path(directory).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [(str(path), needle) for needle in needles if needle.encode() in data]
    return found


def database_copy(target):
    """The test database's pages (free pages included), as SQLite would write them to a file."""
    connection.ensure_connection()
    target.write_bytes(connection.connection.serialize())
    return target


@pytest.mark.parametrize("tmdb_secret", [TMDB_V3_KEY, TMDB_TOKEN], ids=["v3-key", "read-token"])
def test_secrets_leak_neither_to_the_database_the_data_dir_nor_the_logs(
    providers_at, no_key_source, settings, client_as, caplog, tmp_path, monkeypatch, tmdb_secret
):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "ALLOW_KEYFILE": True}
    monkeypatch.setattr("library.providers.musicbrainz.GATE", RateGate(0.0))
    caplog.set_level(logging.DEBUG)
    admin = client_as("Administrator")
    assert admin.put("/admin/providers/tmdb/secret", json={"value": tmdb_secret}).status_code == 200
    assert admin.put("/admin/providers/musicbrainz/secret", json={"value": MUSICBRAINZ_SECRET}).status_code == 200
    admin.get("/admin/providers/tmdb/secret")
    admin.get("/settings/providers")

    providers_at.route("/3/search/movie", Reply(body={"page": 1, "results": [{"id": 949, "title": "Heat", "release_date": "1995-12-15"}]}))
    providers_at.route("/3/movie/949", Reply(body={"id": 949, "title": "Heat", "release_date": "1995-12-15", "genres": []}))
    providers_at.route("/ws/2/recording", Reply(503, {"error": "rate limited"}))
    film = Work.objects.create(kind="film")
    record_claims(film, {"title": "Heat"}, source="embedded")
    resolve_work(film)
    song = Work.objects.create(kind="music")
    record_claims(song, {"title": "Song"}, source="embedded")
    resolve_work(song)
    tasks.lookup_works.call([film.pk, song.pk])
    # The look-up did use the key, so finding it nowhere below means something.
    used = providers_at.asked("/3/search/movie")[0]
    assert tmdb_secret in (used["query"].get("api_key", []) + [used["headers"].get("Authorization", "")])[0]

    secrets = [tmdb_secret, MUSICBRAINZ_SECRET]
    assert files_containing(no_key_source, secrets) == []
    dump = database_copy(tmp_path / "copy.sqlite3")
    assert files_containing(tmp_path, secrets) == []
    assert dump.stat().st_size > 0
    assert any("HTTP Request" in record.getMessage() for record in caplog.records)
    for secret in secrets:
        assert secret not in caplog.text
        assert all(secret not in record.getMessage() for record in caplog.records)


def test_the_command_leaves_no_plaintext_in_a_real_database_file(tmp_path):
    data_dir = tmp_path / "data"
    env = {
        **{name: value for name, value in os.environ.items() if not name.startswith("MEDIA_ENGINE_")},
        "MEDIA_ENGINE_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "engine.settings",
        # Never the developer's own keyring: the embedded default falls back to the key file.
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=ROOT, capture_output=True)
    result = subprocess.run(
        [*manage, "providersecret", "set", "tmdb"], env=env, cwd=ROOT, input=TMDB_V3_KEY + "\n",
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (data_dir / "engine.sqlite3").exists() and (data_dir / "master.key").exists()
    assert files_containing(data_dir, [TMDB_V3_KEY]) == []
    assert TMDB_V3_KEY not in result.stdout + result.stderr
    assert "master key file" in result.stderr


def test_httpx_request_lines_are_redacted_before_any_handler_sees_them(fake_provider):
    """The redaction sits on the httpx logger itself, so a handler attached anywhere (here on
    that logger, ahead of the console's own filter) never receives TMDB's v3 key."""
    import httpx

    fake_provider.route("/3/configuration", Reply(body={}))
    messages = []

    class Keep(logging.Handler):
        def emit(self, record):
            messages.append(record.getMessage())

    handler = Keep(level=logging.DEBUG)
    httpx_logger = logging.getLogger("httpx")
    httpx_logger.addHandler(handler)
    try:
        httpx.get(f"{fake_provider.url}/3/configuration", params={"api_key": TMDB_V3_KEY})
    finally:
        httpx_logger.removeHandler(handler)
    assert any("HTTP Request" in message for message in messages)
    assert all(TMDB_V3_KEY not in message for message in messages)
