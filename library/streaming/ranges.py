"""HTTP byte ranges and conditional requests (RFC 9110 §13 and §14), as pure functions.

No ORM, no files, no Django: the view gathers the request headers and the file's size and
validators, and this module says which status and which bytes answer them.

Choices where the RFC leaves room:

- several ranges in one request are answered with the whole file (200), which RFC 9110 §14.2
  allows; ``multipart/byteranges`` is rarely used by players and is a known amplification vector;
- a syntactically invalid ``Range`` is ignored (200 with the whole file), as §14.2 permits;
- ``Range`` is honoured for GET only (§14.2: GET is the only method with range handling), so a
  HEAD with a ``Range`` describes the whole file.
"""

import re
from dataclasses import dataclass
from email.utils import format_datetime, parsedate_to_datetime

_DIGITS = re.compile(r"[0-9]+", re.ASCII)
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", re.ASCII)
_ENTITY_TAG = re.compile(r'\s*(W/)?("[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)', re.ASCII)
#: Python refuses to parse integers longer than this (CVE-2020-10735); such a header is invalid.
_MAX_DIGITS = 4000


@dataclass(frozen=True)
class ByteRange:
    """The inclusive byte positions ``first``..``last`` of a representation of ``size`` bytes."""

    first: int
    last: int
    size: int

    @property
    def length(self):
        return self.last - self.first + 1

    @property
    def content_range(self):
        return f"bytes {self.first}-{self.last}/{self.size}"


class Unsatisfiable(Exception):
    """A valid range set none of whose ranges overlaps the file: 416 with ``bytes */size``."""

    def __init__(self, size):
        super().__init__(f"bytes */{size}")
        self.content_range = f"bytes */{size}"


def _number(text):
    text = text.strip(" \t")
    if not _DIGITS.fullmatch(text) or len(text) > _MAX_DIGITS:
        return None
    return int(text)


def _parse_spec(spec):
    """``(first, last)`` of one range-spec, with ``None`` for an absent position; or ``None`` if invalid."""
    first_text, dash, last_text = spec.partition("-")
    if not dash:
        return None
    first_text, last_text = first_text.strip(" \t"), last_text.strip(" \t")
    if not first_text:
        suffix = _number(last_text)
        return None if suffix is None else (None, suffix)
    first = _number(first_text)
    if first is None:
        return None
    if not last_text:
        return (first, None)
    last = _number(last_text)
    # §14.1.1: a range whose last position is below its first is invalid.
    if last is None or last < first:
        return None
    return (first, last)


def parse_range(header, size):
    """The :class:`ByteRange` a ``Range`` header asks of a ``size``-byte file, or None for all of it.

    Raises :class:`Unsatisfiable` when the header is valid but no range overlaps the file.
    """
    if header is None:
        return None
    unit, equals, range_set = header.partition("=")
    # §14.2: a unit we do not understand means the header is ignored.
    if not equals or not _TOKEN.fullmatch(unit.strip(" \t")) or unit.strip(" \t").lower() != "bytes":
        return None
    specs = [spec for spec in range_set.split(",") if spec.strip(" \t")]
    if not specs:
        return None
    parsed = [_parse_spec(spec) for spec in specs]
    if any(spec is None for spec in parsed):
        return None
    if len(parsed) > 1:
        return None
    first, last = parsed[0]
    if first is None:
        # §14.1.1: a suffix range is satisfiable when its length is not zero; for an empty file
        # there is no byte to name in Content-Range, so the (empty) whole file is the answer.
        if last == 0:
            raise Unsatisfiable(size)
        if size == 0:
            return None
        return ByteRange(first=max(size - last, 0), last=size - 1, size=size)
    if first >= size:
        raise Unsatisfiable(size)
    last = size - 1 if last is None else min(last, size - 1)
    return ByteRange(first=first, last=last, size=size)


def http_date(moment):
    return format_datetime(moment, usegmt=True)


def _parse_http_date(text):
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


def _entity_tags(header):
    """``[(weak, opaque_tag)]`` of a list header, or None when it is not a valid list."""
    tags, position = [], 0
    header = header.strip()
    while position < len(header):
        match = _ENTITY_TAG.match(header, position)
        if match is None:
            return None
        tags.append((bool(match.group(1)), match.group(2)))
        position = match.end()
    return tags


def _parse_etag(etag):
    weak = etag.startswith("W/")
    return weak, etag[2:] if weak else etag


def _whole_seconds(moment):
    return moment.replace(microsecond=0)


@dataclass(frozen=True)
class Validators:
    """What the file can be recognised by: its entity tag and its modification time."""

    etag: str
    last_modified: object  # an aware datetime

    def strong_match(self, tag):
        weak, opaque = _parse_etag(self.etag)
        return not weak and not tag[0] and tag[1] == opaque

    def weak_match(self, tag):
        return tag[1] == _parse_etag(self.etag)[1]


@dataclass(frozen=True)
class Decision:
    """What to answer: a status (200, 206, 304, 412) and, for 206, the range."""

    status: int
    byte_range: ByteRange | None = None


def _if_match(header, validators):
    if header.strip() == "*":
        return True
    tags = _entity_tags(header)
    return bool(tags) and any(validators.strong_match(tag) for tag in tags)


def _if_none_match(header, validators):
    """True when the condition holds (no tag matches), so the request proceeds."""
    if header.strip() == "*":
        return False
    tags = _entity_tags(header)
    if tags is None:
        return True
    return not any(validators.weak_match(tag) for tag in tags)


def _if_range(header, validators):
    """§13.1.5: an entity tag must match strongly; a date must equal Last-Modified exactly."""
    header = header.strip()
    if header.startswith('"') or header.startswith("W/"):
        tags = _entity_tags(header)
        return tags is not None and len(tags) == 1 and validators.strong_match(tags[0])
    moment = _parse_http_date(header)
    return moment is not None and moment == _whole_seconds(validators.last_modified)


def evaluate(method, headers, size, validators):
    """The :class:`Decision` for a GET or HEAD, in the order of RFC 9110 §13.2.2.

    ``headers`` maps lower-case header names to values. Raises :class:`Unsatisfiable` for 416.
    """
    last_modified = _whole_seconds(validators.last_modified)
    if_match = headers.get("if-match")
    if if_match is not None:
        if not _if_match(if_match, validators):
            return Decision(412)
    else:
        since = headers.get("if-unmodified-since")
        moment = _parse_http_date(since) if since is not None else None
        if moment is not None and last_modified > moment:
            return Decision(412)
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if not _if_none_match(if_none_match, validators):
            return Decision(304)
    else:
        since = headers.get("if-modified-since")
        moment = _parse_http_date(since) if since is not None else None
        if moment is not None and last_modified <= moment:
            return Decision(304)
    if method != "GET":
        return Decision(200)
    range_header = headers.get("range")
    if range_header is None:
        return Decision(200)
    if_range = headers.get("if-range")
    if if_range is not None and not _if_range(if_range, validators):
        return Decision(200)
    byte_range = parse_range(range_header, size)
    if byte_range is None:
        return Decision(200)
    return Decision(206, byte_range)
