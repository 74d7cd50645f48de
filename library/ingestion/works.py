"""From a file's embedded values to a work: its kind and its claims.

The scan never writes a work's canonical columns itself: it records claims and lets metadata
resolution decide, so a locked user claim or a provider's value is never overwritten by what a
file says.
"""

import os

from library.ingestion import names
from library.models import MediaKind, WorkKind

EMBEDDED_SOURCE = "embedded"
#: What the file's name (and folders) say: weighed below the tags (see ``resolution.FIXED_WEIGHTS``).
FILENAME_SOURCE = "filename"
EMBEDDED_CONFIDENCE = 0.6
CLAIMED_BY = "scan"
#: Not claims: facts about the file rather than about the work.
FILE_FACTS = ("duration", "streams")


def _video_expectation(root_kind):
    return names.EPISODE if root_kind == MediaKind.SHOWS else None


def work_kind(media_type, root_kind, name, parsed=None):
    """The kind of work a file is, from its category, the folder's hint and its name."""
    if media_type.category == "audio":
        if root_kind == MediaKind.AUDIOBOOKS or name.lower().endswith((".m4b", ".aa", ".aax")):
            return WorkKind.AUDIOBOOK
        return WorkKind.MUSIC
    if media_type.category == "video":
        if root_kind == MediaKind.SHOWS or (parsed or {}).get("kind") == names.EPISODE:
            return WorkKind.SHOW
        return WorkKind.FILM
    if media_type.category == "comic":
        return WorkKind.COMIC
    if media_type.category == "ebook":
        return WorkKind.BOOK
    return WorkKind.OTHER


def embedded_values(kind, name, tags):
    """The values a file's tags state about its work."""
    values = {key: value for key, value in tags.items() if key not in FILE_FACTS}
    if kind == WorkKind.AUDIOBOOK:
        # Audiobook rips tag the book as the album and the author as the artist.
        if values.get("album"):
            values.setdefault("chapter", values.get("title", ""))
            values["title"] = values.pop("album")
        if values.get("artist"):
            values.setdefault("author", values.pop("artist"))
    # Release tools write the file name into the title tag: that says nothing the name does not,
    # and the name is parsed better than repeated.
    if str(values.get("title", "")).strip() == os.path.splitext(name)[0].strip():
        values.pop("title")
    return {key: value for key, value in values.items() if value not in ("", None)}


def file_claims(media_type, root_kind, relative_path, tags):
    """``(kind, {source: {field: value}})`` for a new file: its tags as ``embedded`` values and
    what its name says, for the fields the tags leave out, as ``filename`` values."""
    name = relative_path.rsplit("/", 1)[-1]
    parsed = names.parse_video_path(relative_path, expect=_video_expectation(root_kind)) if media_type.category == "video" else {}
    kind = work_kind(media_type, root_kind, name, parsed)
    embedded = embedded_values(kind, name, tags)
    from_name = {key: value for key, value in parsed.items() if key != "kind"}
    from_name.setdefault("title", os.path.splitext(name)[0].strip() or name)
    from_name = {key: value for key, value in from_name.items() if key not in embedded}
    return kind, {EMBEDDED_SOURCE: embedded, FILENAME_SOURCE: from_name}
