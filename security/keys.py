"""API key format: generate, parse, digest and verify. Pure functions; no ORM, no HTTP.

A key looks like ``mek_<key id>_<secret><checksum>``:

- ``mek_`` makes a leaked key recognisable to secret scanners;
- the key id (12 hex digits) is not secret and finds the stored row in one indexed query;
- the secret is 256 bits from :mod:`secrets`, written in base62 (43 characters);
- the checksum (CRC32 of everything before it, 6 base62 characters) refuses a mistyped or
  truncated key before any database query.

Only a SHA-256 digest of the whole key is stored. The secret is 256 random bits, so the digest
cannot be reversed or brute-forced and needs neither salt nor a slow hash: PBKDF2 would add
about 0.2 s to every request and protect nothing more.
"""

import hashlib
import hmac
import re
import secrets
import zlib
from dataclasses import dataclass, field

PREFIX = "mek"
ID_LENGTH = 12
SECRET_LENGTH = 43
CHECKSUM_LENGTH = 6
KEY_LENGTH = len(PREFIX) + 1 + ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH
KEY_PATTERN = re.compile(
    rf"^{PREFIX}_[0-9a-f]{{{ID_LENGTH}}}_[0-9A-Za-z]{{{SECRET_LENGTH + CHECKSUM_LENGTH}}}$"
)
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class MalformedKey(ValueError):
    """The text cannot be an engine key: wrong shape or a checksum that does not match."""


@dataclass(frozen=True)
class ParsedKey:
    key_id: str
    plaintext: str = field(repr=False)

    @property
    def prefix(self):
        return f"{PREFIX}_{self.key_id}"


def _base62(number, width):
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(_ALPHABET[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(body):
    return _base62(zlib.crc32(body.encode("ascii")), CHECKSUM_LENGTH)


def generate():
    """A new key; the caller shows ``plaintext`` once and stores only :func:`digest` of it."""
    key_id = secrets.token_hex(ID_LENGTH // 2)
    secret = _base62(int.from_bytes(secrets.token_bytes(32), "big"), SECRET_LENGTH)
    body = f"{PREFIX}_{key_id}_{secret}"
    return ParsedKey(key_id=key_id, plaintext=body + _checksum(body))


def parse(text):
    """Check shape and checksum; raise :class:`MalformedKey` without revealing which failed."""
    if not isinstance(text, str) or len(text) != KEY_LENGTH or not KEY_PATTERN.match(text):
        raise MalformedKey("malformed key")
    body, checksum = text[:-CHECKSUM_LENGTH], text[-CHECKSUM_LENGTH:]
    if not hmac.compare_digest(_checksum(body), checksum):
        raise MalformedKey("malformed key")
    return ParsedKey(key_id=text[len(PREFIX) + 1 : len(PREFIX) + 1 + ID_LENGTH], plaintext=text)


def digest(plaintext):
    return hashlib.sha256(plaintext.encode("ascii")).hexdigest()


def sync_userkey(plaintext):
    """What KOReader's progress sync sends for a key typed as its password: MD5 of it, in hex
    (``x-auth-key``). Stored only as :func:`digest` of this, like the key itself."""
    return hashlib.md5(plaintext.encode("ascii"), usedforsecurity=False).hexdigest()


def verify(plaintext, stored_digest):
    """Constant-time comparison of a presented key with a stored digest."""
    return hmac.compare_digest(digest(plaintext), stored_digest)
