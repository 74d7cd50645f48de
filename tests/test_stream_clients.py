"""Streaming as real players and download tools use it, against a real server.

ffprobe and ffmpeg (Debian's ``ffmpeg``) open a real H.264 video by its ``/stream/{id}`` URL,
with the key header or through a signed link, and seek into its middle: the frames decoded
there must be the very frames decoded from the file on disk. ``curl -C -`` and ``wget -c``
resume an interrupted download to a byte-identical copy (206). The localhost bypass is off, so only
the key or the link can open a stream here.
"""

import hashlib
import os
import signal
import subprocess
import time

import pytest

from tests.live_engine import add_folder, api, assets, live_engine, make_video, scan
from tests.servers import require_binary

pytestmark = pytest.mark.services

#: Long enough that a download limited to 64 KiB/s is still running when it is cut.
DOWNLOAD_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    library = tmp_path_factory.mktemp("stream-clients-library")
    make_video(library / "Test pattern.mp4")
    # An MPEG audio file as the scanner recognises one (ID3v2 header), then random bytes.
    (library / "Long download.mp3").write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + os.urandom(DOWNLOAD_BYTES))
    with live_engine(tmp_path_factory.mktemp("stream-clients"), LOCALHOST_BYPASS="false") as server:
        scan(server, add_folder(server, library)["id"])
        server.library = library
        server.assets = assets(server)
        yield server


def stream_url(engine, title):
    return f"{engine.url}/stream/{engine.assets[title]}"


def signed_url(engine, title):
    link = api(engine, "GET", f"/stream/{engine.assets[title]}/link", key=engine.keys["Consumer"], expect=200).json()
    assert link["url"].startswith(f"/stream/{engine.assets[title]}?")
    return engine.url + link["url"]


def key_header(engine):
    return ["-headers", f"X-Api-Key: {engine.keys['Consumer']}\r\n"]


def run(argv, **kwargs):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kwargs)


def probe(engine, url, *credentials):
    ffprobe = require_binary("ffprobe")
    return run([ffprobe, "-v", "error", *credentials, "-show_entries", "format=duration:stream=codec_type,codec_name",
                "-of", "default=noprint_wrappers=1", url])


@pytest.mark.parametrize("access", ["key header", "signed link"])
def test_ffprobe_reads_the_video_through_the_stream(engine, access):
    if access == "key header":
        probed = probe(engine, stream_url(engine, "Test pattern"), *key_header(engine))
    else:
        probed = probe(engine, signed_url(engine, "Test pattern"))
    assert probed.returncode == 0, probed.stderr
    facts = probed.stdout.split()
    assert {"codec_name=h264", "codec_type=video", "codec_name=aac", "codec_type=audio"} <= set(facts), facts
    duration = float(next(fact for fact in facts if fact.startswith("duration=")).split("=")[1])
    assert 9.9 <= duration <= 10.1


def test_ffprobe_without_a_key_is_refused(engine):
    probed = probe(engine, stream_url(engine, "Test pattern"))
    assert probed.returncode != 0
    assert "401 Unauthorized" in probed.stderr


def frames_at(source, seconds, *credentials):
    """``(time of the first frame, framemd5 lines)`` of three video frames decoded after seeking
    ``source`` to ``seconds`` (timestamps kept as in the file)."""
    ffmpeg = require_binary("ffmpeg")
    decoded = run([ffmpeg, "-v", "error", *credentials, "-ss", str(seconds), "-copyts", "-i", source,
                   "-map", "0:v", "-frames:v", "3", "-f", "framemd5", "-"])
    assert decoded.returncode == 0, decoded.stderr
    lines = decoded.stdout.splitlines()
    numerator, denominator = next(line for line in lines if line.startswith("#tb 0:")).split(":")[1].strip().split("/")
    frames = [line for line in lines if not line.startswith("#")]
    # A framemd5 line: stream, dts, pts, duration, size, checksum.
    return int(frames[0].split(",")[2]) * int(numerator) / int(denominator), frames


@pytest.mark.parametrize("access", ["key header", "signed link"])
def test_ffmpeg_seeks_into_the_middle_and_decodes_the_same_frames_as_from_disk(engine, access):
    at, on_disk = frames_at(str(engine.library / "Test pattern.mp4"), 5)
    if access == "key header":
        streamed_at, streamed = frames_at(stream_url(engine, "Test pattern"), 5, *key_header(engine))
    else:
        streamed_at, streamed = frames_at(signed_url(engine, "Test pattern"), 5)
    assert len(on_disk) == 3 and 4.0 <= at <= 5.0, (at, on_disk)
    assert (streamed_at, streamed) == (at, on_disk)


def interrupted(argv, partial, at_least):
    """Start a rate-limited download and kill it once ``partial`` holds ``at_least`` bytes."""
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if partial.exists() and partial.stat().st_size >= at_least:
                break
            assert process.poll() is None, "the download ended before it could be interrupted"
            time.sleep(0.05)
        else:
            raise AssertionError("the download never got going")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    size = partial.stat().st_size
    assert 0 < size < DOWNLOAD_BYTES, f"the download was not interrupted: {size} bytes"
    return size


def original(engine):
    return hashlib.sha256((engine.library / "Long download.mp3").read_bytes()).hexdigest()


def cut_off(argv, target, after):
    """Run a download to its standard output, stop reading after ``after`` bytes and kill it:
    ``target`` holds what arrived before the connection died. (curl 7.88's ``--limit-rate``
    does not hold back a loopback transfer long enough to be interrupted on disk.)"""
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        target.write_bytes(process.stdout.read(after))
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert target.stat().st_size == after


def test_curl_resumes_an_interrupted_download_byte_for_byte(engine, tmp_path):
    curl = require_binary("curl")
    target = tmp_path / "download.mp3"
    url = stream_url(engine, "Long download")
    header = ["-H", f"X-Api-Key: {engine.keys['Consumer']}"]
    cut_off([curl, "-sS", *header, "-o", "-", url], target, 256 * 1024)
    resumed = run([curl, "-sS", "-C", "-", *header, "-o", str(target), "-w", "%{http_code}", url])
    assert resumed.returncode == 0, resumed.stderr
    assert resumed.stdout == "206"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == original(engine)


def test_wget_resumes_an_interrupted_download_through_a_signed_link_byte_for_byte(engine, tmp_path):
    wget = require_binary("wget")
    target = tmp_path / "download.mp3"
    url = signed_url(engine, "Long download")
    interrupted([wget, "-q", "--limit-rate=64k", "-O", str(target), url], target, 64 * 1024)
    resumed = run([wget, "-c", "--server-response", "-O", str(target), url])
    assert resumed.returncode == 0, resumed.stderr
    assert "HTTP/1.1 206 Partial Content" in resumed.stderr
    assert hashlib.sha256(target.read_bytes()).hexdigest() == original(engine)
