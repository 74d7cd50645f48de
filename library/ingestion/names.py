"""What a video's file name and folders say: a film's title and year, or an episode's series,
season, episode and title.

guessit reads the name (release tags, ``S01E02``, ``1x02``, years in brackets, folder context);
this module turns its guess into the engine's fields. A film's title is the name's own text
from the start of the title to the end of its last part (``Part II``, ``- Fury Road``), so
what guessit splits off as a part or an alternative title stays in it. A plain function of a
path (text) returning plain data: it runs wherever the scan's parsers run.
"""

import re

from guessit import guessit

FILM, EPISODE = "film", "episode"
#: The file and at most two folders above it give context (``Show/Season 1/S01E02.mkv``);
#: a longer path says nothing more about the work.
CONTEXT = 3
#: Longer text is not parsed: no real name is this long, and a crafted one must not cost much.
MAX_TEXT = 600
_OPTIONS = {"no_user_config": True}
_TITLE_PARTS = ("title", "part", "alternative_title")
_SEPARATORS = re.compile(r"[._]+")
_EDGES = " -._([{"


def _first(value):
    return value[0] if isinstance(value, list) else value


def _film_title(text, found):
    """The film's title as the name writes it, from the start of guessit's title to the end of
    its last title part in the same path component."""
    matches = found.matches
    titles = matches.get("title") or []
    if not titles:
        return None
    start = titles[0].span[0]
    component_end = text.find("/", start)
    component_end = len(text) if component_end < 0 else component_end
    end = titles[0].span[1]
    for name in _TITLE_PARTS:
        for match in matches.get(name) or []:
            span = (match.initiator.span if match.initiator is not None else match.span)
            if start <= span[0] and span[1] <= component_end:
                end = max(end, span[1])
    raw = text[start:end].strip(_EDGES).rstrip(" -")
    if " " not in raw:
        raw = _SEPARATORS.sub(" ", raw)
    return " ".join(raw.split()) or None


def _episode_values(found):
    values = {"kind": EPISODE}
    series = _first(found.get("title"))
    if series:
        country = found.get("country")
        values["series"] = f"{series} ({country.alpha2})" if country is not None else str(series)
    season, episode = _first(found.get("season")), _first(found.get("episode"))
    if isinstance(season, int):
        values["season"] = season
    if isinstance(episode, int):
        values["episode"] = episode
    title = _first(found.get("episode_title"))
    if title:
        values["title"] = str(title)
    elif "episode" in values:
        marker = f"S{values['season']:02d}E{values['episode']:02d}" if "season" in values else f"E{values['episode']:02d}"
        values["title"] = f"{values['series']} {marker}" if "series" in values else marker
    return values if len(values) > 1 else {}


def parse_video_path(relative_path, *, expect=None):
    """``{"kind": "film", "title", "year"}`` or ``{"kind": "episode", "series", "season",
    "episode", "title"}`` (only the keys the name gives), or ``{}`` when it names nothing.

    ``expect`` (``"film"`` or ``"episode"``) is what the library folder holds, when it says.
    """
    parts = [part for part in str(relative_path).split("/") if part]
    text = "/".join(parts[-CONTEXT:])
    if not text or len(text) > MAX_TEXT:
        return {}
    options = dict(_OPTIONS)
    if expect in (FILM, EPISODE):
        options["type"] = "movie" if expect == FILM else "episode"
    try:
        found = guessit(text, options)
    except Exception:  # a guess that fails says nothing; the scan goes on
        return {}
    if found.get("type") == "episode" and (found.get("episode") is not None or expect == EPISODE):
        return _episode_values(found)
    title = _film_title(text, found)
    if not title:
        return {}
    values = {"kind": FILM, "title": title}
    year = _first(found.get("year"))
    if isinstance(year, int):
        values["year"] = year
    return values
