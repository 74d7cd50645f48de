"""Signed stream links for players that cannot send headers (``<video>``, ``<audio>``, casting).

Modelled on ``django.contrib.auth.tokens``: one class, :meth:`StreamLinkSigner.make` and
:meth:`StreamLinkSigner.check`, an HMAC keyed from ``SECRET_KEY`` with its own salt, compared in
constant time. The signature covers the asset id, the expiry and the issuing key's public id,
so a link opens one file, until one moment, for as long as its key stays active (the caller
re-checks that against the database). The link carries no key material: only the key's public
id, which is also shown in key listings.

The signature travels as ``sig=``, a parameter the log filter redacts (security/redaction.py), so the
access log does not hand out working links.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from security.routes import stream_path

#: Long enough for a film paused over dinner, short enough that a leaked link soon dies.
DEFAULT_LIFETIME = timedelta(hours=6)
KEY_PARAM, EXPIRES_PARAM, SIGNATURE_PARAM = "kid", "expires", "sig"
LINK_PARAMS = frozenset({KEY_PARAM, EXPIRES_PARAM, SIGNATURE_PARAM})
_KEY_ID = re.compile(r"[0-9a-f]{12}", re.ASCII)
_EXPIRES = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"[0-9a-f]{64}", re.ASCII)


class InvalidLink(Exception):
    """The link's parameters are malformed, tampered with or expired."""


@dataclass(frozen=True)
class SignedLink:
    """What a well-formed link's parameters say; :meth:`StreamLinkSigner.check` decides if it is true."""

    asset_id: int
    key_id: str
    expires: int
    signature: str


class StreamLinkSigner:
    key_salt = "security.stream_links.StreamLinkSigner"
    algorithm = "sha256"

    def _signature(self, asset_id, key_id, expires):
        message = f"stream:{int(asset_id)}:{key_id}:{int(expires)}"
        return salted_hmac(self.key_salt, message, algorithm=self.algorithm).hexdigest()

    def make(self, asset_id, key_id, lifetime=DEFAULT_LIFETIME, now=None):
        """``(relative_url, expires_at)`` for one asset, issued to the key with public id ``key_id``."""
        now = now or timezone.now()
        expires = int((now + lifetime).timestamp())
        query = urlencode(
            {KEY_PARAM: key_id, EXPIRES_PARAM: expires, SIGNATURE_PARAM: self._signature(asset_id, key_id, expires)}
        )
        expires_at = datetime.fromtimestamp(expires, tz=dt_timezone.utc)
        return f"{stream_path(asset_id)}?{query}", expires_at

    def read(self, asset_id, query):
        """The :class:`SignedLink` in a request's query (``{name: [values]}``), or :class:`InvalidLink`."""
        values = {}
        for name in LINK_PARAMS:
            given = query.get(name) or []
            if len(given) != 1:
                raise InvalidLink()
            values[name] = given[0]
        if not (
            _KEY_ID.fullmatch(values[KEY_PARAM])
            and _EXPIRES.fullmatch(values[EXPIRES_PARAM])
            and _SIGNATURE.fullmatch(values[SIGNATURE_PARAM])
        ):
            raise InvalidLink()
        return SignedLink(
            asset_id=int(asset_id),
            key_id=values[KEY_PARAM],
            expires=int(values[EXPIRES_PARAM]),
            signature=values[SIGNATURE_PARAM],
        )

    def check(self, link, now=None):
        """Raise :class:`InvalidLink` unless the signature is ours and the link has not expired."""
        expected = self._signature(link.asset_id, link.key_id, link.expires)
        if not constant_time_compare(expected, link.signature):
            raise InvalidLink()
        now = now or timezone.now()
        if link.expires <= now.timestamp():
            raise InvalidLink()


stream_link_signer = StreamLinkSigner()


def presents_link(query):
    """Whether a request carries any stream-link parameter (and so asks to be judged by it)."""
    return any(name in query for name in LINK_PARAMS)
