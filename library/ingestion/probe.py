"""Video containers (Matroska/WebM, MP4, AVI, MPEG, ASF) read by ``ffprobe``: tags, duration, streams.

mutagen reads no Matroska at all and only the audio track of an MP4; ffprobe (Debian's
``ffmpeg``) reads every container a player plays. It runs as a child process that sees exactly
the file the scan opened (the descriptor is passed, not the path, so a file swapped for a
symlink after the scan's checks is not what gets read), under a time limit, with its output
capped; the demuxer is forced from the type the scan recognised (a ``.mkv`` is read as
Matroska, never as a playlist that names other files) and only the ``file`` protocol is allowed.

:class:`Prober` holds plain settings, so it can be handed to another process.
"""

import json
import math
import os
import re
import selectors
import shutil
import subprocess
import time
from dataclasses import dataclass

from library.ingestion import limits, streams
from library.ingestion.languages import language_code
from library.ingestion.tags import TagError

#: The scan's MIME type → the ffmpeg demuxer that reads it.
DEMUXERS = {
    "video/x-matroska": "matroska",
    "video/webm": "matroska",
    "video/mp4": "mov",
    "video/quicktime": "mov",
    "video/x-msvideo": "avi",
    "video/mpeg": "mpeg",
    "video/mp2t": "mpegts",
    "video/x-ms-wmv": "asf",
    "video/x-ms-asf": "asf",
}
DEFAULT_TIMEOUT = 30.0
#: ffprobe's JSON for a real film is a few KB; a file with thousands of tracks or tags is not
#: worth more than this.
MAX_OUTPUT = 4 * 1024 * 1024
_YEAR = re.compile(r"(\d{4})")
#: ffprobe's container tags (lower-cased) → the engine's fields, first match wins.
TAG_FIELDS = {
    "title": ("title",),
    "artist": ("artist",),
    "album_artist": ("album_artist",),
    "album": ("album",),
    "genre": ("genre",),
    "composer": ("composer",),
    "description": ("description", "synopsis", "summary"),
    "series": ("show",),
    "season": ("season_number",),
    "episode": ("episode_sort",),
}
#: Where a container keeps the release date; never ``creation_time``, which is when it was muxed.
YEAR_TAGS = ("date_released", "date", "year", "originaldate")


class ProbeError(TagError):
    pass


@dataclass(frozen=True)
class Prober:
    """``Prober(binary)(stream, media_type)`` → ``{"duration", "streams", "title", ...}``."""

    binary: str
    timeout: float = DEFAULT_TIMEOUT
    max_output: int = MAX_OUTPUT

    def __call__(self, stream, media_type):
        return read_video(stream.fileno(), media_type.mime_type, binary=self.binary, timeout=self.timeout, max_output=self.max_output)


def prober(setting, timeout=DEFAULT_TIMEOUT):
    """The :class:`Prober` a setting asks for: ``off`` for none, a path, or ``""`` to look on PATH."""
    setting = (setting or "").strip()
    if setting.lower() in ("off", "false", "0", "no"):
        return None
    binary = shutil.which(setting or "ffprobe")
    return Prober(binary=binary, timeout=float(timeout)) if binary else None


def run_ffprobe(fd, demuxer, *, binary, timeout, max_output):
    """ffprobe's JSON for the open file ``fd``; :class:`ProbeError` when it fails, hangs past
    ``timeout`` seconds or writes more than ``max_output`` bytes."""
    argv = [
        binary, "-v", "error", "-hide_banner", "-print_format", "json", "-show_format", "-show_streams",
        "-protocol_whitelist", "file", "-f", demuxer, "-i", f"file:/proc/self/fd/{fd}",
    ]
    try:
        process = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, pass_fds=(fd,),
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}, preexec_fn=limits.allow_program,
        )
    except OSError as error:
        raise ProbeError(f"ffprobe could not be started: {error.strerror or error}") from error
    output, deadline = bytearray(), time.monotonic() + timeout
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ProbeError(f"ffprobe took longer than {timeout:g} s")
                if not selector.select(remaining):
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output += chunk
                if len(output) > max_output:
                    raise ProbeError(f"ffprobe wrote more than {max_output} bytes")
        returncode = process.wait(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise ProbeError(f"ffprobe took longer than {timeout:g} s") from None
    finally:
        if process.poll() is None:
            # It stays in the reader's process group, so a reader killed at its deadline takes
            # ffprobe with it; here the reader itself gives up on it.
            process.kill()
            process.wait()
        process.stdout.close()
    if returncode != 0:
        raise ProbeError(f"ffprobe could not read the file (exit status {returncode})")
    try:
        return json.loads(output)
    except ValueError as error:
        raise ProbeError("ffprobe's output is not JSON") from error


def read_video(fd, mime_type, *, binary, timeout=DEFAULT_TIMEOUT, max_output=MAX_OUTPUT):
    """What ffprobe finds in the open video file ``fd``: container tags as fields, the duration
    (seconds) and every video, audio and subtitle stream."""
    demuxer = DEMUXERS.get(mime_type)
    if demuxer is None:
        return {}
    found = run_ffprobe(fd, demuxer, binary=binary, timeout=timeout, max_output=max_output)
    if not isinstance(found, dict):
        raise ProbeError("ffprobe's output is not an object")
    container = found.get("format") if isinstance(found.get("format"), dict) else {}
    values = fields_of(_lowered(container.get("tags")))
    duration = _number(container.get("duration"))
    if duration and duration > 0:
        values["duration"] = round(duration, 3)
    values["streams"] = [shaped for shaped in map(stream_of, found.get("streams") or []) if shaped is not None]
    return values


def fields_of(tags):
    """The engine's fields from a container's (lower-cased) tags."""
    values = {}
    for field, keys in TAG_FIELDS.items():
        for key in keys:
            text = str(tags.get(key) or "").strip()
            if text:
                values[field] = text
                break
    for key in YEAR_TAGS:
        match = _YEAR.search(str(tags.get(key) or ""))
        if match:
            values["year"] = int(match.group(1))
            break
    return values


def stream_of(found):
    """One ffprobe stream in the engine's shape, or None for what is no track (cover art,
    attachments such as fonts, data streams)."""
    if not isinstance(found, dict):
        return None
    kind = found.get("codec_type")
    disposition = found.get("disposition") if isinstance(found.get("disposition"), dict) else {}
    if kind not in streams.TYPES or (kind == streams.VIDEO and disposition.get("attached_pic")):
        return None
    tags = _lowered(found.get("tags"))
    try:
        return streams.stream(
            kind, _integer(found.get("index")),
            codec=found.get("codec_name"), profile=found.get("profile"),
            language=language_code(tags.get("language")), title=tags.get("title"),
            default=disposition.get("default"), forced=disposition.get("forced"),
            hearing_impaired=disposition.get("hearing_impaired"),
            width=_integer(found.get("width")), height=_integer(found.get("height")),
            frame_rate=_rate(found.get("avg_frame_rate")) or _rate(found.get("r_frame_rate")),
            channels=_integer(found.get("channels")), channel_layout=found.get("channel_layout"),
            sample_rate=_integer(found.get("sample_rate")), bit_rate=_integer(found.get("bit_rate")),
        )
    except (TypeError, ValueError):
        return None


def _lowered(tags):
    return {str(key).lower(): value for key, value in tags.items()} if isinstance(tags, dict) else {}


def _number(value):
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _integer(value):
    number = _number(value)
    return int(number) if number is not None and 0 <= number < 2**53 else None


def _rate(value):
    """``"24000/1001"`` → 23.976; None for ``"0/0"`` and nonsense."""
    numerator, _, denominator = str(value or "").partition("/")
    top, bottom = _number(numerator), _number(denominator or 1)
    if not top or not bottom or top <= 0 or bottom <= 0:
        return None
    return top / bottom if top / bottom < 10_000 else None
