"""Subtitle files beside a video: which video each belongs to, and what its name says of it.

``Film.mkv`` owns ``Film.srt``, ``Film.en.srt``, ``Film.en.forced.srt``, ``Film.English.sdh.srt``:
a subtitle belongs to the video in the same folder whose name (without extension) its own name
starts with, followed by a dot, compared without regard to case; the longest such name wins, so
``Film.Extended.en.srt`` goes to ``Film.Extended.mkv`` when both films are there. What follows
the video's name are flags (``forced``, ``sdh``…), a language and, left over, a title. Jellyfin
and Plex read sidecars the same way. Plain functions of names (bytes, as the scan lists them).
"""

import os

from library.ingestion import detect, streams
from library.ingestion.languages import language_code

#: Name parts that are flags, not languages (``hi`` and ``sdh`` are language codes too, but
#: beside a subtitle they mean "for the hearing impaired", as in every player's convention).
FORCED = frozenset({"forced", "foreign"})
HEARING_IMPAIRED = frozenset({"sdh", "cc", "hi", "hoh"})
DEFAULT = frozenset({"default"})
#: The codec ffprobe names for each format.
CODECS = {".srt": "subrip", ".vtt": "webvtt", ".ass": "ass", ".ssa": "ssa"}


def is_subtitle(name):
    found = detect.by_extension(name)
    return bool(found) and found.category == detect.SUBTITLE


def _stem(name):
    return os.path.splitext(os.fsdecode(name))[0]


def pair(names):
    """``{subtitle name: video name}`` for the subtitles among ``names`` (one folder's listing)
    that have a video; subtitles without one are left out."""
    videos = {}
    for name in names:
        found = detect.by_extension(name)
        if found and found.category == detect.VIDEO:
            videos.setdefault(_stem(name).casefold(), name)
    owners = {}
    for name in names:
        if not is_subtitle(name):
            continue
        stem = _stem(name).casefold()
        candidates = [video for video in videos if stem == video or stem.startswith(video + ".")]
        if candidates:
            owners[name] = videos[max(candidates, key=len)]
    return owners


def describe(name, video_name):
    """The one stream a sidecar subtitle is, from its name and its video's."""
    words = _stem(name)[len(_stem(video_name)):].split(".")
    flags, language, title = set(), None, []
    for word in filter(None, (word.strip() for word in words)):
        lowered = word.casefold()
        if lowered in FORCED | HEARING_IMPAIRED | DEFAULT:
            flags.add(lowered)
        elif language is None and language_code(word):
            language = language_code(word)
        else:
            title.append(word)
    return streams.stream(
        streams.SUBTITLE, 0, codec=CODECS.get(os.path.splitext(os.fsdecode(name))[1].lower()), language=language,
        title=" ".join(title) or None, default=bool(flags & DEFAULT), forced=bool(flags & FORCED),
        hearing_impaired=bool(flags & HEARING_IMPAIRED), external=True,
    )
