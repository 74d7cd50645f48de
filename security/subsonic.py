"""The credentials of the OpenSubsonic API, read for :func:`security.principal.resolve_principal`.

Music apps authenticate on ``/rest/`` with parameters, in the query or a form body: ``apiKey``
(the ``apiKeyAuthentication`` extension), or the legacy ``u`` + ``p`` where the password is an
engine key (plain or ``enc:`` + hex). Both end in the same key check as ``X-Api-Key``, which the
API reads too. Token authentication (``t`` = md5(password + salt), ``s``) is refused: checking it
needs the password in a reversible form, and the engine keeps only a digest of each key.

Each refusal carries a machine code that the adapter maps to its protocol's error numbers (40
wrong password, 41 token refused, 43 conflicting mechanisms, 44 invalid key, 10 missing), so the
mapping lives with the protocol and the judgement lives here.
"""

from dataclasses import dataclass

#: The parameters that carry (part of) a Subsonic credential.
CREDENTIAL_PARAMETERS = ("apiKey", "u", "p", "t", "s")
HELP_URL = "https://github.com/media-engine/media-engine#use-it-with-a-music-app"

INVALID_API_KEY = "invalid_api_key"
INVALID_PASSWORD = "invalid_credentials"
CONFLICTING = "conflicting_credentials"
TOKEN_UNSUPPORTED = "token_authentication_unsupported"
INCOMPLETE = "credentials_incomplete"


class CredentialRefused(Exception):
    """A Subsonic credential that cannot be judged as a key; ``code`` names the reason."""

    def __init__(self, detail, code, help_url=None):
        super().__init__(detail)
        self.detail, self.code, self.help_url = detail, code, help_url


@dataclass(frozen=True)
class SubsonicCredential:
    """The key a ``/rest/`` request presents, and the code to refuse it with when it is invalid."""

    plaintext: str
    invalid_code: str


def parameters(facts):
    """Every value of every credential parameter, from the query and a form body together."""
    found = {}
    for source in (facts.query, facts.form):
        for name in CREDENTIAL_PARAMETERS:
            if name in source:
                found.setdefault(name, []).extend(source[name])
    return found


def presented_credential(facts, header_key=None):
    """The credential of a ``/rest/`` request, None when it presents none; :class:`CredentialRefused`.

    ``header_key`` is an ``X-Api-Key`` header, if one came. Any credential parameter counts as
    presented, so a request that sends one is judged by it and never falls through to the
    localhost bypass.
    """
    found = parameters(facts)
    if any(len(values) > 1 for values in found.values()):
        raise CredentialRefused("Each authentication parameter may be sent once.", CONFLICTING)
    one = {name: values[0] for name, values in found.items()}
    mechanisms = sum(("apiKey" in one, "p" in one, "t" in one or "s" in one, header_key is not None))
    if mechanisms > 1 or ("apiKey" in one and "u" in one):
        raise CredentialRefused(
            "Multiple conflicting authentication mechanisms provided: send apiKey alone, or u and p.", CONFLICTING
        )
    if header_key is not None:
        return SubsonicCredential(header_key, INVALID_API_KEY)
    if "apiKey" in one:
        return SubsonicCredential(one["apiKey"], INVALID_API_KEY)
    if "t" in one or "s" in one:
        raise CredentialRefused(
            "Token authentication is not supported: use an API key as apiKey (or as the password).",
            TOKEN_UNSUPPORTED, HELP_URL,
        )
    if "p" in one:
        if "u" not in one:
            raise CredentialRefused("Required parameter is missing: u.", INCOMPLETE)
        return SubsonicCredential(decode_password(one["p"]), INVALID_PASSWORD)
    if "u" in one:
        raise CredentialRefused("Required parameter is missing: p, or apiKey without u.", INCOMPLETE)
    return None


def decode_password(text):
    """``p`` as sent: the key itself, or ``enc:`` and its UTF-8 bytes in hex (either case)."""
    if not text.startswith("enc:"):
        return text
    try:
        return bytes.fromhex(text[4:]).decode("utf-8")
    except ValueError:
        # Not a key either way; the key check refuses it like any wrong password.
        return ""
