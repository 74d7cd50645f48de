"""Requests with bodies to the protocol surfaces, sent by curl to a real ``manage.py serve``.

A music app's form POST carries its key in the form, and KOReader's progress update carries a
JSON body: the engine judges the caller of such a request once the bounded body is read, by the
key the body or headers present (from this machine too, where sending nothing would be the
localhost Administrator), and refuses in the protocol's own shape.
"""

import hashlib
import json
import subprocess

import pytest

from tests.live_engine import live_engine
from tests.servers import require_binary


def curl(*args):
    """``(status, body)`` of one curl request."""
    result = subprocess.run(
        [require_binary("curl"), "-sS", "-o", "-", "-w", "\n%{http_code}", *args], capture_output=True, timeout=60, check=True,
    )
    body, _, status = result.stdout.rpartition(b"\n")
    return int(status), json.loads(body)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    with live_engine(tmp_path_factory.mktemp("engine")) as server:
        yield server


def test_a_form_post_is_judged_by_the_key_in_its_form_from_this_machine_too(engine):
    url = f"{engine.url}/rest/startScan.view"
    form = ["-d", "f=json", "-d", "v=1.16.1", "-d", "c=curl"]
    status, body = curl(*form, "-d", f"apiKey={engine.keys['Consumer']}", url)
    assert (status, body["subsonic-response"]["error"]) == (200, {"code": 50, "message": "startScan needs the Administrator role."})
    status, body = curl(*form, "-d", "apiKey=not-a-key", url)
    assert (status, body["subsonic-response"]["error"]["code"]) == (200, 44)
    status, body = curl(*form, "-d", f"apiKey={engine.keys['Administrator']}", url)
    assert (status, body["subsonic-response"]["status"]) == (200, "ok")


def test_a_sync_update_with_a_wrong_key_is_refused_in_kosyncs_shape(engine):
    userkey = hashlib.md5(b"not the key").hexdigest()
    status, body = curl(
        "-X", "PUT", "-H", "Content-Type: application/json", "-H", "x-auth-user: reader", "-H", f"x-auth-key: {userkey}",
        "-d", json.dumps({"document": "0" * 32, "progress": "1", "percentage": 0.1, "device": "curl", "device_id": "c"}),
        f"{engine.url}/kosync/syncs/progress",
    )
    assert status == 401 and body["code"] == 2001 and "API key" in body["message"], body
