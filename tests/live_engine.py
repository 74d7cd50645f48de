"""A real engine (``manage.py serve``) for the suites that drive it with clients we did not write.

:func:`live_engine` starts one on a random loopback port with its own data directory and gives it
keys of every role; the helpers here act on it the way an operator would: over HTTP with a key,
or with ``manage.py`` (keys, staff users). Nothing in it reaches into the server's process.
"""

import re
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.servers import EngineServer, engine_environment, manage, migrate, require_binary

KEY_PATTERN = re.compile(r"mek_[0-9a-f]{12}_[0-9A-Za-z]{49}")
ROLES = ("Administrator", "Curator", "Consumer")
#: Browsers fetch a page's static files one by one; a real page load must not meet the general quota.
GENEROUS_RATES = {"RATE_GENERAL": "100000/m", "RATE_STREAM": "100000/m"}


def create_key(env, role, label=None):
    created = manage(env, "apikey", "create", "--label", label or f"{role} key", "--role", role)
    return KEY_PATTERN.search(created.stdout).group(0)


def create_keys(env):
    """A key of every role, made in one ``manage.py`` run (each run starts Django afresh)."""
    code = (
        "from security import services\n"
        "from security.audit import Actor\n"
        f"for role in {list(ROLES)!r}:\n"
        "    print(role, services.create_key(label=f'{role} client', role=role, actor=Actor('test setup'))[1])\n"
    )
    printed = [line.split() for line in manage(env, "shell", "-c", code).stdout.splitlines()]
    made = {words[0]: words[1] for words in printed if len(words) == 2 and words[0] in ROLES}
    assert set(made) == set(ROLES) and all(KEY_PATTERN.fullmatch(key) for key in made.values())
    return made


@contextmanager
def live_engine(data_dir, **settings):
    """A running engine with ``.keys[role]``, ``.env`` and ``.data_dir``; stopped on exit."""
    env = engine_environment(data_dir, **{**GENEROUS_RATES, **settings})
    migrate(env)
    server = EngineServer(env)
    server.env, server.data_dir = env, Path(data_dir)
    server.keys = create_keys(env)
    with server:
        yield server


def api(engine, method, path, *, key=None, expect=None, **kwargs):
    """One request with ``key`` (default: the Administrator's); asserts ``expect`` when given."""
    key = key or engine.keys["Administrator"]
    response = httpx.request(method, f"{engine.url}{path}", headers={"X-Api-Key": key}, timeout=30, **kwargs)
    if expect is not None:
        assert response.status_code == expect, (method, path, response.status_code, response.text)
    return response


def key_id(engine, plaintext):
    listed = api(engine, "GET", "/admin/api-keys?page_size=500", expect=200).json()["results"]
    return next(row["id"] for row in listed if plaintext.startswith(row["prefix"]))


def revoke(engine, plaintext):
    """Revoke over HTTP, as an operator's script would; returns when the server has answered."""
    api(engine, "DELETE", f"/admin/api-keys/{key_id(engine, plaintext)}", expect=200)


def add_folder(engine, path):
    return api(engine, "POST", "/settings/folders", json={"path": str(path)}, expect=201).json()


def scan(engine, folder_id):
    """Start a scan of one folder and wait until its job is finished; returns the job."""
    return wait_for_job(engine, api(engine, "POST", "/ingestion/scan", json={"folder_id": folder_id}, expect=202).json()["id"])


def wait_for_job(engine, job_id, timeout=60):
    """The scan job once it has completed (a failed one fails the test)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api(engine, "GET", f"/ingestion/jobs/{job_id}", expect=200).json()
        if job["state"] in ("completed", "failed"):
            assert job["state"] == "completed", job
            return job
        time.sleep(0.1)
    raise AssertionError(f"scan job {job_id} still {job['state']} after {timeout} s")


def assets(engine):
    """``{title: asset id}`` of every work in the library."""
    works = api(engine, "GET", "/library/works?page_size=500", expect=200).json()["results"]
    return {work["title"]: work["assets"][0]["id"] for work in works if work["assets"]}


def create_staff_user(engine, username, password, *, superuser=False, permissions=()):
    """A Django admin user made with ``manage.py``; ``permissions`` are ``app.codename`` strings."""
    code = (
        "from django.contrib.auth.models import Permission, User\n"
        f"user = User.objects.create_user({username!r}, password={password!r}, is_staff=True, is_superuser={superuser!r})\n"
        f"for name in {list(permissions)!r}:\n"
        "    app, codename = name.split('.')\n"
        "    user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))\n"
    )
    manage(engine.env, "shell", "-c", code)


def make_video(path, seconds=10):
    """A real H.264/AAC MP4 made by ffmpeg: a test pattern with a timestamp, and a tone."""
    ffmpeg = require_binary("ffmpeg")
    subprocess.run(
        [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=duration={seconds}:size=320x240:rate=25",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac", "-shortest", str(path),
        ],
        check=True, capture_output=True, timeout=120,
    )
    return path
