"""A request body is judged before it is read: rate limit, caller, then size.

Django's ASGI handler spools the whole body (to disk past 2.5 MB) before any middleware runs, so
an anonymous ``POST`` with ``Content-Length: 200 MiB`` cost the server 200 MiB of disk before its
401. Now the 429, 401 or 413 leaves while the client is still sending, nothing of the body is
stored, and a chunked body is cut at the limit (``MEDIA_ENGINE_MAX_BODY_BYTES``, 1 MiB).

These run a real server (``manage.py serve``) with its temporary directory of its own, and
measure that directory and the server's resident memory while the body is sent.
"""

import json
import subprocess

import pytest

from tests.servers import EngineServer, engine_environment, manage, require_binary
from tests.streaming_servers import KEY_PATTERN
from tests.wire import PeakSampler, chunked, open_file_bytes, exchange, request_head, resident_bytes, upload_until_answered

pytestmark = pytest.mark.services

MiB = 1024 * 1024
BODY = 200 * MiB
#: What may have left the client before the answer came back: kernel socket buffers on both
#: sides and the server's own read-ahead, nowhere near the body.
SENT_BEFORE_ANSWER = 24 * MiB
GROWTH_LIMIT = 16 * MiB
CHUNK = b"[" * (256 * 1024)


class Engine:
    def __init__(self, server, key, spool):
        self.server, self.key, self.spool = server, key, spool

    @property
    def port(self):
        return self.server.port


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("bodies")
    spool = root / "tmp"
    spool.mkdir()
    # Without the bypass a loopback client is anonymous; key generation is limited to 3 a minute.
    env = engine_environment(root / "data", LOCALHOST_BYPASS="false", RATE_KEYGEN="3/m", RATE_GENERAL="100000/m")
    env["TMPDIR"] = str(spool)
    manage(env, "migrate", "--no-input")
    created = manage(env, "apikey", "create", "--label", "bodies", "--role", "Administrator")
    with EngineServer(env) as server:
        yield Engine(server, KEY_PATTERN.search(created.stdout).group(0), spool)


def body_chunks(total=BODY):
    for _ in range(total // len(CHUNK)):
        yield CHUNK


def measured_upload(engine, head, chunks):
    """The upload, and how much the server's memory and temporary directory grew meanwhile."""
    pid = engine.server.process.pid
    memory_before, disk_before = resident_bytes(pid), open_file_bytes(pid, engine.spool)
    with PeakSampler(lambda: resident_bytes(pid)) as memory, PeakSampler(lambda: open_file_bytes(pid, engine.spool)) as disk:
        upload = upload_until_answered(engine.port, head, chunks)
    growth = (memory.peak - memory_before, disk.peak - disk_before)
    print(f"sent {upload.sent / MiB:.1f} MiB before the answer; server RSS +{growth[0] / MiB:.1f} MiB, temporary files +{growth[1] / MiB:.1f} MiB")
    return upload, growth


def assert_refused_while_sending(upload, growth, status, code):
    assert upload.answer is not None, upload.error
    assert upload.answer.status == status, upload.answer
    assert json.loads(upload.answer.body)["code"] == code
    assert upload.sent < SENT_BEFORE_ANSWER, f"{upload.sent / MiB:.1f} MiB were sent before the answer"
    assert growth[0] < GROWTH_LIMIT, f"server memory grew by {growth[0] / MiB:.1f} MiB"
    assert growth[1] == 0, f"{growth[1] / MiB:.1f} MiB of the body were written to disk"


def test_an_anonymous_200_mib_body_gets_its_401_while_it_is_still_sent(engine):
    head = request_head("POST", "/settings/folders", engine.port, {"Content-Type": "application/json", "Content-Length": BODY})
    upload, growth = measured_upload(engine, head, body_chunks())
    assert_refused_while_sending(upload, growth, 401, "not_authenticated")


def test_a_bad_key_with_a_200_mib_body_gets_its_401_while_it_is_still_sent(engine):
    headers = {"X-Api-Key": "mek_0123456789ab_" + "A" * 49, "Content-Type": "application/json", "Content-Length": BODY}
    upload, growth = measured_upload(engine, request_head("POST", "/settings/folders", engine.port, headers), body_chunks())
    assert_refused_while_sending(upload, growth, 401, "invalid_credentials")


def test_a_declared_body_over_the_limit_gets_413_before_it_is_sent(engine):
    headers = {"X-Api-Key": engine.key, "Content-Type": "application/json", "Content-Length": BODY}
    upload, growth = measured_upload(engine, request_head("POST", "/settings/folders", engine.port, headers), body_chunks())
    assert_refused_while_sending(upload, growth, 413, "request_too_large")
    assert "MEDIA_ENGINE_MAX_BODY_BYTES" in json.loads(upload.answer.body)["detail"]


def test_a_chunked_body_is_cut_at_the_limit(engine):
    headers = {"X-Api-Key": engine.key, "Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    upload, growth = measured_upload(engine, request_head("POST", "/settings/folders", engine.port, headers), chunked(body_chunks()))
    assert_refused_while_sending(upload, growth, 413, "request_too_large")


def test_an_over_quota_caller_gets_429_before_the_body_is_read(engine):
    headers = {"X-Api-Key": engine.key, "Content-Type": "application/json"}
    for n in range(3):
        created = exchange(engine.port, "POST", "/admin/api-keys", {**headers, "Content-Length": 40}, json.dumps({"label": f"k{n}", "role": "Consumer"}).ljust(40).encode())
        assert created.status == 201, created
    head = request_head("POST", "/admin/api-keys", engine.port, {**headers, "Content-Length": BODY})
    upload, growth = measured_upload(engine, head, body_chunks())
    assert_refused_while_sending(upload, growth, 429, "rate_limited")
    assert int(upload.answer.headers["retry-after"]) >= 1


def test_a_body_within_the_limit_is_read_whole_chunked_or_not(engine, tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    body = json.dumps({"path": str(folder), "padding": " " * (512 * 1024)}).encode()
    headers = {"X-Api-Key": engine.key, "Content-Type": "application/json"}
    sized = exchange(engine.port, "POST", "/settings/folders", {**headers, "Content-Length": len(body)}, body)
    # The body arrived whole: the view read it and refused the unknown field, not the size.
    assert sized.status == 400 and "padding" in json.loads(sized.body)["errors"], sized
    pieces = b"".join(chunked([body[:300_000], body[300_000:]])) + b"0\r\n\r\n"
    split = exchange(engine.port, "POST", "/settings/folders", {**headers, "Transfer-Encoding": "chunked"}, pieces)
    assert split.status == 400 and "padding" in json.loads(split.body)["errors"], split


def test_curl_is_refused_before_it_uploads_a_large_file(engine, tmp_path):
    curl = require_binary("curl")
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:
        handle.truncate(BODY)
    result = subprocess.run(
        [curl, "-s", "-o", "/dev/null", "-w", "%{http_code} %{size_upload}", "-H", "Content-Type: application/json",
         "--data-binary", f"@{big}", f"{engine.server.url}/settings/folders"],
        capture_output=True, text=True, timeout=120,
    )
    status, uploaded = result.stdout.split()
    assert status == "401"
    assert int(float(uploaded)) < SENT_BEFORE_ANSWER, f"curl uploaded {uploaded} bytes"
