"""From a file's embedded values to a work: its kind and its claims.

The scan never writes a work's canonical columns itself: it records claims and lets metadata
resolution decide, so a locked user claim or a provider's value is never overwritten by what a
file says.
"""

import os
import re

from django.utils import timezone

from library.metadata.fields import InvalidClaim, normalise
from library.metadata.services import resolve_work
from library.models import Claim, MediaKind, WorkKind

EMBEDDED_SOURCE = "embedded"
EMBEDDED_CONFIDENCE = 0.6
CLAIMED_BY = "scan"
#: Not claims: facts about the file rather than about the work.
FILE_FACTS = ("duration",)
_EPISODE = re.compile(r"^(?P<series>.*?)[\s._-]*[Ss](?P<season>\d{1,2})[Ee](?P<episode>\d{1,3})")


def work_kind(media_type, root_kind, name):
    """The kind of work a file is, from its category, the folder's hint and its name."""
    stem = os.path.splitext(name)[0]
    if media_type.category == "audio":
        if root_kind == MediaKind.AUDIOBOOKS or name.lower().endswith((".m4b", ".aa", ".aax")):
            return WorkKind.AUDIOBOOK
        return WorkKind.MUSIC
    if media_type.category == "video":
        if root_kind == MediaKind.SHOWS or _EPISODE.match(stem):
            return WorkKind.SHOW
        return WorkKind.FILM
    if media_type.category == "comic":
        return WorkKind.COMIC
    if media_type.category == "ebook":
        return WorkKind.BOOK
    return WorkKind.OTHER


def embedded_values(kind, name, tags):
    """The values a file states about its work, with the file name as the fallback title."""
    values = {key: value for key, value in tags.items() if key not in FILE_FACTS}
    stem = os.path.splitext(name)[0]
    if kind == WorkKind.SHOW:
        match = _EPISODE.match(stem)
        if match:
            values.setdefault("series", re.sub(r"[._]+", " ", match.group("series")).strip(" -"))
            values.setdefault("season", int(match.group("season")))
            values.setdefault("episode", int(match.group("episode")))
    if kind == WorkKind.AUDIOBOOK:
        # Audiobook rips tag the book as the album and the author as the artist.
        if values.get("album"):
            values.setdefault("chapter", values.get("title", ""))
            values["title"] = values.pop("album")
        if values.get("artist"):
            values.setdefault("author", values.pop("artist"))
    values.setdefault("title", stem.strip() or name)
    return {key: value for key, value in values.items() if value not in ("", None)}


def record_embedded_claims(work, values, *, now=None, weights=None):
    """One ``embedded`` claim per value, then the work resolved from its claims.

    Values read from files are never locked, so a crafted file cannot pin metadata; a value a
    field cannot hold (an unknown tag, a year that is not a number) is left out, not fatal.
    """
    now = now or timezone.now()
    claims = []
    for field, value in values.items():
        try:
            text = normalise(field, value)
        except InvalidClaim:
            continue
        claims.append(Claim(
            work=work, field=field, value=text, source=EMBEDDED_SOURCE, confidence=EMBEDDED_CONFIDENCE,
            locked=False, claimed_by=CLAIMED_BY, claimed_at=now,
        ))
    Claim.objects.bulk_create(claims)
    resolve_work(work, weights=weights)
    work.refresh_from_db()
    return work
