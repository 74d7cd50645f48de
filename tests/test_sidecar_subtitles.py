"""Subtitle files beside a video (``Film.en.srt``, ``Film.fr.forced.vtt``, ``Film.ass``) are assets of
the video's work: listed with their language and flags, streamed through ``/stream/{id}`` with the
MIME types players expect, and read by ffprobe over HTTP from a real server."""

import subprocess
import time

import httpx
import pytest

from library.ingestion.streams import FIELDS
from library.models import Asset
from tests.background_tasks import rescan_through_api, scan_through_api
from tests.servers import EngineServer, engine_environment, manage, require_binary

MATROSKA = b"\x1a\x45\xdf\xa3"
SRT = "1\n00:00:01,000 --> 00:00:02,500\nHello there.\n\n2\n00:00:03,000 --> 00:00:04,000\nGeneral Kenobi.\n"
SRT_SDH = "\ufeff1\r\n00:00:01,000 --> 00:00:02,500\r\n[door creaks]\r\n"
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nBonjour.\n"
ASS = (
    "[Script Info]\nScriptType: v4.00+\nPlayResX: 384\nPlayResY: 288\n\n"
    "[V4+ Styles]\nFormat: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
    "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, "
    "MarginR, MarginV, Encoding\nStyle: Default,Arial,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0\n\n"
    "[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n"
    "Dialogue: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,Hallo.\n"
)


def write_library(root):
    root.mkdir()
    (root / "Film (2010).mkv").write_bytes(MATROSKA + b"the film")
    (root / "Film (2010).en.srt").write_text(SRT)
    (root / "Film (2010).en.sdh.srt").write_text(SRT_SDH)
    (root / "Film (2010).fr.forced.vtt").write_text(VTT)
    (root / "Film (2010).ass").write_text(ASS)
    (root / "Other.de.srt").write_text(SRT + "\n")  # no video of that name: not an asset
    (root / "Film (2010).nl.srt").write_text("this is no subtitle at all, only text that claims to be one\n")
    return root


def subtitle(**values):
    shaped = {key: (False if key in ("default", "forced", "hearing_impaired", "external") else None) for key in FIELDS}
    return shaped | {"index": 0, "type": "subtitle", "external": True} | values


def test_subtitles_beside_a_video_are_assets_of_its_work(local, client_as, tmp_path):
    job = scan_through_api(local, write_library(tmp_path / "films"))
    client = client_as("Consumer")
    [film] = client.get("/library/works").json()["results"]
    assert (film["title"], film["year"]) == ("Film", 2010)
    assets = client.get(f"/library/works/{film['id']}").json()["assets"]
    assert [(asset["role"], asset["mime_type"], asset["streams"]) for asset in assets] == [
        ("media", "video/x-matroska", []),
        ("subtitle", "text/x-ssa", [subtitle(codec="ass")]),
        ("subtitle", "application/x-subrip", [subtitle(codec="subrip", language="eng", hearing_impaired=True)]),
        ("subtitle", "application/x-subrip", [subtitle(codec="subrip", language="eng")]),
        ("subtitle", "text/vtt", [subtitle(codec="webvtt", language="fre", forced=True)]),
    ]
    # Other.de.srt has no video beside it; Film (2010).nl.srt is no subtitle (a failure, with why).
    assert (job["added"], job["failed"]) == (5, 1)
    assert [(failure["relative_path"], failure["reason"]) for failure in job["failures"]] == [
        ("Film (2010).nl.srt", "content is not a recognised media format"),
    ]
    assert Asset.objects.count() == 5


def test_subtitles_are_streamed_with_the_types_players_expect(local, client_as, tmp_path):
    scan_through_api(local, write_library(tmp_path / "films"))
    client = client_as("Consumer")
    [film] = client.get("/library/works").json()["results"]
    by_type = {asset["mime_type"]: asset["id"] for asset in client.get(f"/library/works/{film['id']}").json()["assets"]}
    vtt = client.get(f"/stream/{by_type['text/vtt']}")
    assert (vtt.status_code, vtt.headers["content-type"], vtt.text) == (200, "text/vtt", VTT)
    ass = client.get(f"/stream/{by_type['text/x-ssa']}")
    assert (ass.status_code, ass.headers["content-type"], ass.text) == (200, "text/x-ssa", ASS)
    assert 'filename="Film (2010).ass"' in ass.headers["content-disposition"]


def test_a_rescan_keeps_the_subtitles_and_takes_in_a_new_one(local, client_as, tmp_path):
    root = write_library(tmp_path / "films")
    folder = scan_through_api(local, root)["folder_id"]
    (root / "Film (2010).de.srt").write_text(SRT.replace("Hello", "Hallo"))
    job = rescan_through_api(local, folder)
    assert (job["added"], job["unchanged"]) == (1, 5)
    [film] = client_as("Consumer").get("/library/works").json()["results"]
    languages = [asset["streams"][0]["language"] for asset in film["assets"] if asset["role"] == "subtitle"]
    assert sorted(languages, key=lambda language: language or "") == [None, "eng", "eng", "fre", "ger"]


def test_ffprobe_reads_each_subtitle_over_http_from_a_real_server(tmp_path):
    ffprobe = require_binary("ffprobe")
    library = write_library(tmp_path / "films")
    env = engine_environment(tmp_path / "data")
    manage(env, "migrate", "--no-input")
    key = manage(env, "apikey", "create", "--label", "player", "--role", "Administrator").stdout.strip()
    headers = {"X-Api-Key": key}
    with EngineServer(env) as server:
        folder = httpx.post(f"{server.url}/settings/folders", json={"path": str(library)}, headers=headers).json()["id"]
        job = httpx.post(f"{server.url}/ingestion/scan", json={"folder_id": folder}, headers=headers).json()
        deadline = time.monotonic() + 60
        while job["state"] in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.1)
            job = httpx.get(f"{server.url}/ingestion/jobs/{job['id']}", headers=headers).json()
        assert job["state"] == "completed", job
        [film] = httpx.get(f"{server.url}/library/works", headers=headers).json()["results"]
        found = {}
        for asset in film["assets"]:
            if asset["role"] != "subtitle":
                continue
            probe = subprocess.run(
                [ffprobe, "-v", "error", "-headers", f"X-Api-Key: {key}\r\n", "-show_entries", "format=format_name:stream=codec_name",
                 "-of", "default=noprint_wrappers=1", f"{server.url}/stream/{asset['id']}"],
                capture_output=True, text=True, timeout=60,
            )
            assert probe.returncode == 0, probe.stderr
            found[asset["mime_type"], asset["streams"][0]["language"], asset["streams"][0]["hearing_impaired"]] = probe.stdout.split()
    assert found == {
        ("application/x-subrip", "eng", False): ["codec_name=subrip", "format_name=srt"],
        ("application/x-subrip", "eng", True): ["codec_name=subrip", "format_name=srt"],
        ("text/vtt", "fre", False): ["codec_name=webvtt", "format_name=webvtt"],
        ("text/x-ssa", None, False): ["codec_name=ass", "format_name=ass"],
    }
