"""HTTP Basic (RFC 7617) whose password is an engine key: what e-readers can send.

KOReader, Thorium, Moon+ Reader and the other OPDS readers know a user name and a password per
catalog and nothing else. The user name is free (people type their own name); the password is
judged exactly like ``X-Api-Key``. Read only where :func:`security.routes.reads_basic_auth`
says, by :func:`security.principal.presented_key`. Pure: no ORM, no HTTP objects.
"""

import base64
import binascii

#: The challenge of a 401 where Basic is read: readers show their login dialog for it.
CHALLENGE = 'Basic realm="Media Engine"'
#: A key is 68 characters; a user name and a key in base64 fit well inside this.
MAX_TOKEN = 1024


class MalformedBasic(ValueError):
    """An ``Authorization: Basic`` header that is not base64 of ``user:password`` in UTF-8."""


def is_basic(authorization):
    return authorization.strip()[:6].lower() == "basic "


def password(authorization):
    """The password of an ``Authorization: Basic …`` header; :class:`MalformedBasic` otherwise."""
    token = authorization.strip()[6:].strip()
    if not token or len(token) > MAX_TOKEN:
        raise MalformedBasic("empty or over-long credentials")
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise MalformedBasic("not base64 of UTF-8 text") from None
    user, colon, secret = decoded.partition(":")
    if not colon:
        raise MalformedBasic("no colon between user name and password")
    return secret
