"""Matroska, WebM and MP4 files made by ffmpeg: their tags, durations and tracks, read by ffprobe
(mutagen where ffprobe is turned off), shown by the works API."""

import shutil
import subprocess
import textwrap

import pytest

from library.ingestion.streams import FIELDS
from tests.background_tasks import scan_through_api
from tests.servers import require_binary


@pytest.fixture(scope="module")
def ffmpeg():
    require_binary("ffprobe")
    return require_binary("ffmpeg")


def make_video(ffmpeg, path, *arguments):
    """One second of test picture and tone, encoded by ffmpeg with ``arguments``."""
    subprocess.run(
        [ffmpeg, "-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25:duration=1",
         "-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=48000", *arguments, str(path)],
        check=True, timeout=60,
    )
    return path


@pytest.fixture(scope="module")
def videos(ffmpeg, tmp_path_factory):
    """Made once for the module: the scanner only reads them."""
    base = tmp_path_factory.mktemp("video")
    root = base / "videos"
    root.mkdir()
    subtitles = base / "track.srt"
    subtitles.write_text("1\n00:00:00,000 --> 00:00:00,900\nHallo\n")
    make_video(
        ffmpeg, root / "Release.Name.2001.1080p.BluRay.x264-GRP.mkv",
        "-f", "lavfi", "-i", "sine=frequency=220:duration=1", "-i", str(subtitles),
        "-map", "0", "-map", "1", "-map", "2", "-map", "3", "-c:v", "mpeg4", "-c:a", "aac", "-ac:a:0", "2", "-c:s", "srt",
        "-metadata", "title=The Real Title", "-metadata", "DATE_RELEASED=1999",
        "-metadata:s:a:0", "language=fre", "-metadata:s:a:0", "title=Français", "-metadata:s:a:1", "language=eng",
        "-metadata:s:s:0", "language=ger", "-disposition:s:0", "forced",
    )
    make_video(
        ffmpeg, root / "Webbed (2012).webm",
        "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-c:a", "libopus", "-metadata:s:a:0", "language=jpn",
    )
    make_video(
        ffmpeg, root / "My.Show.S01E09.mp4",
        "-c:v", "mpeg4", "-c:a", "aac", "-metadata", "title=Pilot", "-metadata", "show=The Real Show",
        "-metadata", "season_number=1", "-metadata", "episode_sort=2", "-metadata", "date=2004",
        "-metadata:s:a:0", "language=fra",
    )
    return root


def works_by_title(client):
    listing = client.get("/library/works", params={"ordering": "title"})
    assert listing.status_code == 200, listing.json()
    return {work["title"]: client.get(f"/library/works/{work['id']}").json() for work in listing.json()["results"]}


def stream(**values):
    """A stream as the API shows it: every key, null or false unless given."""
    return {key: (False if key in ("default", "forced", "hearing_impaired", "external") else None) for key in FIELDS} | values


def test_matroska_tags_duration_and_tracks(local, client_as, videos):
    scan_through_api(local, videos)
    film = works_by_title(client_as("Consumer"))["The Real Title"]
    # The tag names the film and its year; the file name's year (2001) weighs less.
    assert (film["kind"], film["year"]) == ("film", 1999)
    [asset] = film["assets"]
    assert asset["mime_type"] == "video/x-matroska"
    assert asset["duration"] == pytest.approx(1.02, abs=0.05)
    assert asset["streams"] == [
        stream(index=0, type="video", codec="mpeg4", profile="Simple Profile", width=320, height=240, frame_rate=25.0),
        stream(index=1, type="audio", codec="aac", profile="LC", language="fre", title="Français", channels=2,
               channel_layout="stereo", sample_rate=48000),
        stream(index=2, type="audio", codec="aac", profile="LC", language="eng", channels=1, channel_layout="mono",
               sample_rate=44100),
        stream(index=3, type="subtitle", codec="subrip", language="ger", forced=True),
    ]


def test_webm_tracks_and_a_title_from_the_file_name(local, client_as, videos):
    scan_through_api(local, videos)
    film = works_by_title(client_as("Consumer"))["Webbed"]
    assert film["year"] == 2012
    [asset] = film["assets"]
    assert asset["mime_type"] == "video/webm"
    assert asset["duration"] == pytest.approx(1.0, abs=0.05)
    assert [(s["type"], s["codec"], s["language"], s["width"]) for s in asset["streams"]] == [
        ("video", "vp8", None, 320), ("audio", "opus", "jpn", None),
    ]


def test_mp4_episode_tags_outweigh_its_file_name(local, client_as, videos):
    scan_through_api(local, videos)
    episode = works_by_title(client_as("Consumer"))["Pilot"]
    assert (episode["kind"], episode["series"], episode["year"]) == ("show", "The Real Show", 2004)
    assert (episode["metadata"]["season"], episode["metadata"]["episode"]) == ("1", "2")
    [asset] = episode["assets"]
    assert [(s["index"], s["type"], s["codec"], s["language"], s["default"]) for s in asset["streams"]] == [
        (0, "video", "mpeg4", None, True), (1, "audio", "aac", "fre", True),
    ]


def test_without_ffprobe_mp4_is_read_by_mutagen_and_matroska_by_its_name(local, client_as, videos, settings):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "FFPROBE": "off"}
    scan_through_api(local, videos)
    works = works_by_title(client_as("Consumer"))
    assert sorted(works) == ["Pilot", "Release Name", "Webbed"]
    episode = works["Pilot"]
    assert (episode["series"], episode["year"], episode["metadata"]["season"], episode["metadata"]["episode"]) == (
        "The Real Show", 2004, "1", "2",
    )
    assert episode["assets"][0]["duration"] == pytest.approx(1.0, abs=0.05)
    assert episode["assets"][0]["streams"] == []
    film = works["Release Name"]
    assert (film["year"], film["assets"][0]["duration"], film["assets"][0]["streams"]) == (2001, None, [])


@pytest.fixture
def stand_in_ffprobe(tmp_path):
    """Write an executable that stands in for a misbehaving ffprobe."""

    def write(body):
        script = tmp_path / "ffprobe"
        script.write_text(f"#!{shutil.which('sh')}\n" + textwrap.dedent(body))
        script.chmod(0o755)
        return str(script)

    return write


@pytest.mark.parametrize("body", ["sleep 30\n", "yes '{\"format\": {}}'\n", "echo not json\n", "exit 1\n"],
                         ids=["hangs", "floods", "garbles", "fails"])
def test_a_misbehaving_ffprobe_leaves_the_file_named_by_its_name(local, client_as, videos, settings, stand_in_ffprobe, body):
    settings.MEDIA_ENGINE = {**settings.MEDIA_ENGINE, "FFPROBE": stand_in_ffprobe(body), "FFPROBE_TIMEOUT": 1}
    scan_through_api(local, videos)
    works = works_by_title(client_as("Consumer"))
    assert sorted(works) == ["My Show S01E09", "Release Name", "Webbed"]
    assert all(work["assets"][0]["streams"] == [] for work in works.values())
    job = local.get("/ingestion/jobs").json()["results"][0]
    assert (job["state"], job["added"], job["failed"]) == ("completed", 3, 0)


def test_the_openapi_schema_documents_every_key_of_a_stream(client_as):
    schema = client_as("Administrator").get("/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}).json()
    components = schema["components"]["schemas"]
    assert list(components["Stream"]["properties"]) == list(FIELDS)
    assert sorted(components["Stream"]["required"]) == sorted(FIELDS)
    assert components["Asset"]["properties"]["streams"]["items"] == {"$ref": "#/components/schemas/Stream"}
    assert components["StreamTypeEnum"]["enum"] == ["video", "audio", "subtitle"]
