"""The metadata fields a claim may name, and how each one's value is checked and stored.

Claims hold text; a field listed in :data:`INTEGER_FIELDS` holds a whole number written as
text, so ``"1999"``, ``1999`` and ``" 1999 "`` are one value and add up in resolution.
"""

from engine.errors import BadInput

#: Fields kept in a named column of ``Work``; every other field lives in ``Work.metadata``.
COLUMN_FIELDS = ("title", "year", "artist", "album", "author", "series")

INTEGER_FIELDS = frozenset({"year", "track", "disc", "season", "episode"})

KNOWN_FIELDS = frozenset(
    COLUMN_FIELDS
    + (
        "album_artist",
        "composer",
        "narrator",
        "genre",
        "description",
        "track",
        "disc",
        "season",
        "episode",
        "publisher",
        "language",
        "isbn",
        "tmdb_id",
        "musicbrainz_recording_id",
        "musicbrainz_release_id",
    )
)

#: Column fields are ``CharField(max_length=500)``; longer free text goes to ``metadata``.
MAX_COLUMN_LENGTH = 500
MAX_VALUE_LENGTH = 10_000


class InvalidClaim(BadInput):
    """A claim names an unknown field or carries a value the field cannot hold."""

    default_code = "invalid_claim"


def normalise(field, value):
    """The stored text form of ``value`` for ``field``, or :class:`InvalidClaim`."""
    if field not in KNOWN_FIELDS:
        raise InvalidClaim(f"Unknown metadata field {field!r}.", "unknown_field")
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise InvalidClaim(f"The value of {field} must be text or a number.")
    if field in INTEGER_FIELDS:
        return str(_whole_number(field, value))
    if isinstance(value, float):
        raise InvalidClaim(f"The value of {field} must be text.")
    text = " ".join(str(value).split())
    if not text:
        raise InvalidClaim(f"The value of {field} must not be blank.")
    limit = MAX_COLUMN_LENGTH if field in COLUMN_FIELDS else MAX_VALUE_LENGTH
    if len(text) > limit:
        raise InvalidClaim(f"The value of {field} is longer than {limit} characters.")
    return text


def _whole_number(field, value):
    if isinstance(value, float):
        if not value.is_integer():
            raise InvalidClaim(f"The value of {field} must be a whole number.")
        value = int(value)
    if isinstance(value, str):
        value = value.strip()
        if not (value.lstrip("-").isascii() and value.lstrip("-").isdigit()) or len(value) > 6:
            raise InvalidClaim(f"The value of {field} must be a whole number.")
        value = int(value)
    if field == "year" and not 1 <= value <= 9999:
        raise InvalidClaim("The year must be between 1 and 9999.")
    if value < 0 or value > 99_999:
        raise InvalidClaim(f"The value of {field} is out of range.")
    return value


def column_value(field, value):
    """The Python value a ``Work`` column takes for a resolved value (None clears it)."""
    if field == "year":
        return int(value) if value is not None else None
    return value if value is not None else ""
