"""The README's "Using the engine" section, checked against a real server.

The route table must say what the authorisation matrix declares; the curl blocks run as they
are written; the browser player plays a signed link in Chromium; the two hub clients are the
files in docs/examples, shown verbatim in the README, and receive a real scan's MediaAdded.
The localhost bypass is off, so every example is judged by the key it sends.
"""

import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from security.routes import SUBSONIC_STREAMING_METHODS, is_streaming_path
from tests.browser import artifacts, browser, page, playwright_driver, step  # noqa: F401
from tests.live_engine import add_folder, api, assets, live_engine, make_video, scan, wait_for_job
from tests.signalr_clients import NODE_DIR, PATIENCE, node  # noqa: F401
from tests.test_authorization_matrix import TABLE

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
MP3_BYTES = b"ID3\x03\x00\x00\x00\x00\x00\x00" + (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 8


def example(name):
    """The code block that follows ``<!-- example: name -->`` in the README."""
    found = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w*\n(.*?)```", README, re.S)
    assert found, f"the README has no example {name}"
    return found.group(1)


def readme_routes():
    table = README.split("<!-- routes -->", 1)[1].split("<!-- /routes -->", 1)[0]
    for row in table.strip().splitlines()[2:]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        methods, path = cells[0].strip("`").split(" /", 1)
        yield re.sub(r"\{\w+\}", "{}", "/" + path), [m.strip() for m in methods.split(",")], cells[1], cells[2]


def test_the_route_table_says_what_the_authorisation_matrix_declares():
    declared = {(path, method): role for path, methods in TABLE.items() for method, role in methods.items()}
    documented = {}
    for path, methods, role, policy in readme_routes():
        for method in methods:
            documented[(path, method)] = role
            if path == "/rest/{}":
                # One route, two policies: the OpenSubsonic methods that send files stream.
                named = policy.removeprefix("general; ").removesuffix(": streaming").split(", ")
                assert sorted(named) == sorted(f"`{name}`" for name in SUBSONIC_STREAMING_METHODS), policy
                continue
            stream = is_streaming_path(path.replace("{}", "1"))
            assert ("streaming" in policy) == stream, (path, policy)
            assert ("key generation" in policy) == (path == "/admin/api-keys"), (path, policy)
    assert documented == declared


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with live_engine(tmp_path_factory.mktemp("readme"), LOCALHOST_BYPASS="false") as server:
        yield server


def run_shell(code, cwd, **variables):
    environment = {"PATH": os.environ["PATH"], **variables}
    return subprocess.run(["bash", "-euo", "pipefail", "-c", code], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_the_curl_examples_run_as_written(engine, tmp_path):
    music = tmp_path / "music"
    music.mkdir()
    track = music / "Blue Train.mp3"
    track.write_bytes(MP3_BYTES)
    admin = run_shell(example("curl-admin"), tmp_path, ENGINE=engine.url, ADMIN_KEY=engine.keys["Administrator"], MUSIC=str(music))
    assert admin.returncode == 0, admin.stderr
    wait_for_job(engine, 1)  # the scan the example started
    player = run_shell(example("curl"), tmp_path, ENGINE=engine.url, MEDIA_ENGINE_KEY=engine.keys["Consumer"])
    assert player.returncode == 0, player.stderr
    assert '"title":"Blue Train"' in player.stdout
    assert (tmp_path / "first-kilobyte.bin").read_bytes() == MP3_BYTES[:1024]
    assert (tmp_path / "track.mp3").read_bytes() == MP3_BYTES
    assert re.search(r'"url": ?"/stream/1\?kid=[0-9a-f]+&expires=[0-9]+&sig=[0-9a-f]+"', player.stdout), player.stdout


def test_the_browser_player_plays_and_seeks_a_signed_link(engine, page, artifacts, tmp_path):
    make_video(tmp_path / "Player test.mp4")
    scan(engine, add_folder(engine, tmp_path)["id"])
    asset = assets(engine)["Player test"]
    link = api(engine, "GET", f"/stream/{asset}/link", key=engine.keys["Consumer"], expect=200).json()["url"]
    html = re.sub(r'src="[^"]*"', f'id="player" muted src="{engine.url}{link}"', example("player"))
    with step(page, artifacts, "load the player"):
        page.set_content(html)
        page.wait_for_function("document.getElementById('player').readyState >= 1")
        assert page.evaluate("document.getElementById('player').duration") == 10
    with step(page, artifacts, "seek to the middle and play"):
        page.evaluate("player.currentTime = 5; player.play()")
        page.wait_for_function("player.currentTime > 5.5 && !player.paused")
        assert page.evaluate("player.error") is None


def test_the_readme_shows_the_hub_examples_verbatim():
    for name in ("docs/examples/hub_client.js", "docs/examples/hub_client.py"):
        assert example(name) == (ROOT / name).read_text(), f"the README's copy of {name} is out of date"


class Example:
    """One hub example as a running program; its output lines are collected as they come."""

    def __init__(self, argv, **environment):
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        env={**os.environ, **environment})
        self.lines = []
        self.changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()

    def wait_for(self, prefix):
        with self.changed:
            found = self.changed.wait_for(lambda: any(line.startswith(prefix) for line in self.lines), PATIENCE)
        assert found, f"no {prefix!r} line: {self.lines}"
        return next(line for line in self.lines if line.startswith(prefix))

    def stop(self):
        self.process.terminate()
        self.process.wait(PATIENCE)


def test_the_hub_examples_receive_media_added(engine, node, tmp_path):
    key = engine.keys["Consumer"]
    programs = [
        Example([sys.executable, str(ROOT / "docs/examples/hub_client.py"), engine.url], MEDIA_ENGINE_KEY=key),
        Example([node, str(ROOT / "docs/examples/hub_client.js"), engine.url], MEDIA_ENGINE_KEY=key,
                NODE_PATH=str(NODE_DIR / "node_modules")),
    ]
    try:
        for program in programs:
            program.wait_for("connected")
        music = tmp_path / "hub"
        music.mkdir()
        (music / "Moanin.mp3").write_bytes(MP3_BYTES + b"moanin")
        scan(engine, add_folder(engine, music)["id"])
        events = [json.loads(program.wait_for("MediaAdded ").split(" ", 1)[1]) for program in programs]
    finally:
        for program in programs:
            program.stop()
    assert [event["title"] for event in events] == ["Moanin", "Moanin"]
    assert not any(line.startswith("WatchFolderActive") for program in programs for line in program.lines)
