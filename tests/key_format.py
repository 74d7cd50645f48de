"""The API key format written out from the README, independently of ``security/keys.py``.

``mek_<12 lower-case hex digits>_<43 base62 characters><6 base62 characters of the CRC32 of
everything before them>``, base62 digits being ``0-9A-Za-z`` in that order. Tests build and judge
keys with these rules, so a bug in the engine's own helpers cannot agree with itself here.
"""

import re
import secrets
import zlib

ALPHABET = "0123456789" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + "abcdefghijklmnopqrstuvwxyz"
SHAPE = re.compile(r"\Amek_[0-9a-f]{12}_[0-9A-Za-z]{49}\Z")


def base62(number, width):
    text = ""
    while number:
        number, digit = divmod(number, 62)
        text = ALPHABET[digit] + text
    return text.rjust(width, "0")


def checksum(body):
    return base62(zlib.crc32(body.encode("ascii")), 6)


def forge(key_id, secret):
    """A key with this id and secret and a valid checksum."""
    assert re.fullmatch(r"[0-9a-f]{12}", key_id) and re.fullmatch(r"[0-9A-Za-z]{43}", secret)
    body = f"mek_{key_id}_{secret}"
    return body + checksum(body)


def is_well_formed(text):
    return isinstance(text, str) and SHAPE.match(text) is not None and checksum(text[:-6]) == text[-6:]


def split(plaintext):
    """The key id and the secret of a key."""
    return plaintext[4:16], plaintext[17:60]


def random_secret():
    return "".join(secrets.choice(ALPHABET) for _ in range(43))
