"""Who is calling: the one function that turns a request into a principal.

HTTP middleware, the DRF authentication class, plain views and the hub's WebSocket handshake
all call :func:`resolve_principal`; none of them reads a credential itself.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from django.utils import timezone

from security import basic_auth, key_use, keys, subsonic, tickets
from security.localhost import is_local_request
from security.models import ApiKey
from security.profiles.models import Profile
from security.refusals import INVALID_CREDENTIALS
from security.roles import Role
from security.routes import (
    HUB_PREFIX, KOSYNC_PREFIX, OPDS_PREFIX, STREAM_LINK_PATH, SUBSONIC_PREFIX, is_hub_path, is_kosync_path, is_normal,
    is_subsonic_path,
)
from security.stream_links import InvalidLink, presents_link, stream_link_signer

INVALID_TICKET = "Invalid or expired ticket."
INVALID_LINK = "Invalid or expired stream link."
BASIC_ONLY = "Send the API key as the password of HTTP Basic (any user name), or in X-Api-Key."
INVALID_SYNC_KEY = "Unauthorized: log in with an API key as the password (any user name)."


class InvalidCredentials(Exception):
    """A credential was presented and is not valid: empty, malformed, unknown, revoked or expired.

    This is always a 401, also from localhost: a caller who sends a key means to be judged by it.
    """

    default_detail = INVALID_CREDENTIALS
    default_code = "invalid_credentials"

    def __init__(self, detail=None, code=None, help_url=None):
        super().__init__(detail or self.default_detail)
        self.detail = detail or self.default_detail
        #: Which refusal this is, for a protocol that tells them apart (OpenSubsonic's 40/41/43/44).
        self.code = code or self.default_code
        self.help_url = help_url


class Via(Enum):
    """The credential a principal came with, which decides what it may be exchanged for."""

    KEY = "key"
    #: A hub ticket, bought with a key or by the localhost Administrator.
    TICKET = "ticket"
    #: A signed stream link, good for one asset.
    LINK = "link"
    #: The localhost bypass: no credential at all.
    LOCALHOST = "localhost"
    #: KOReader's progress-sync credential (an MD5 of a key), good on ``/kosync/`` alone.
    SYNC = "sync"

    @property
    def may_obtain_ticket(self):
        """A ticket cannot buy a ticket: one read from a URL must not renew itself forever; a
        sync credential, kept by an e-reader in its settings, buys nothing either."""
        return self not in (Via.TICKET, Via.SYNC)

    @property
    def may_obtain_stream_link(self):
        """Links are bound to the key that asked, so only a key presented as itself gets one: the
        localhost Administrator has no key to revoke a link by, a ticket is for the hub alone."""
        return self is Via.KEY


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: an API key with its role, or the localhost Administrator.

    Whose the caller is (:attr:`profile`) comes with the key at no cost: the key lookup joins
    its profile. The localhost Administrator is the Owner, looked up only when asked, so the
    requests that need no profile (most of them) cost no query.
    """

    role: Role
    key: ApiKey | None = None
    via: Via = Via.KEY
    #: Set for a signed stream link (``Via.LINK``): the one asset this principal may stream.
    asset_id: int | None = None

    is_authenticated = True

    @property
    def profile(self):
        """The profile the caller acts for: its key's, or the Owner's on the localhost bypass."""
        if self.key is not None:
            return self.key.profile
        return Profile.objects.owner()

    @property
    def is_administrator(self):
        return self.has_role(Role.ADMINISTRATOR)

    def has_role(self, role):
        return Role(self.role).includes(role)

    @property
    def holder(self):
        """Whom a ticket or hub connection token is bound to: the key's public id, or the
        localhost bypass (good only for another local connection)."""
        return self.key.key_id if self.key is not None else tickets.LOCALHOST_HOLDER

    def describe(self):
        """For audit records and ``created_by``: never the key itself, only its public prefix."""
        if self.key is None:
            return "localhost"
        return f"key {self.key.prefix} ({self.key.label})"


LOCALHOST = Principal(role=Role.ADMINISTRATOR, via=Via.LOCALHOST)


def _x_api_key(facts):
    return facts.header("x-api-key")


def _bearer_token(facts):
    authorization = facts.header("authorization")
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer":
        raise InvalidCredentials("Unsupported authorization scheme.")
    return token.strip()


def _access_token(facts):
    tokens = facts.query.get("access_token")
    if tokens is not None and len(tokens) != 1:
        raise InvalidCredentials()
    return tokens[0] if tokens else None


def _basic_password(facts):
    authorization = facts.header("authorization")
    if authorization is None:
        return None
    if not basic_auth.is_basic(authorization):
        raise InvalidCredentials(BASIC_ONLY)
    try:
        return basic_auth.password(authorization)
    except basic_auth.MalformedBasic:
        raise InvalidCredentials(BASIC_ONLY) from None


@dataclass(frozen=True)
class CredentialForm:
    """A place a request can carry a key: ``carrier`` is the header or query parameter it comes
    in, ``read`` returns the key or None (:class:`InvalidCredentials` when garbled), and
    ``description`` is how a refusal tells the client where the key goes."""

    description: str
    carrier: str
    read: Callable


X_API_KEY = CredentialForm("the X-Api-Key header", "x-api-key", _x_api_key)
BEARER = CredentialForm("Authorization: Bearer", "authorization", _bearer_token)
ACCESS_TOKEN = CredentialForm("the access_token query parameter", "access_token", _access_token)
BASIC = CredentialForm("the password of HTTP Basic (any user name)", "authorization", _basic_password)


@dataclass(frozen=True)
class Surface:
    """A family of routes and the credential forms it reads, in order of precedence."""

    name: str
    prefix: str
    reads: tuple

    def refuse_unread(self, facts):
        """:class:`InvalidCredentials` when ``facts`` carry a credential this surface does not read.

        Ignoring it would make the caller nobody, and from this machine nobody is the localhost
        Administrator: a key sent in the wrong place must never buy more than the key itself.
        """
        carriers = {form.carrier for form in self.reads}
        for header in CREDENTIAL_HEADERS:
            if header not in carriers and facts.has_header(header):
                raise self._not_read(f"The {_header_name(header)} header")
        for name in facts.query:
            if name.lower() in CREDENTIAL_PARAMETERS and name not in carriers:
                raise self._not_read(f"The query parameter {name!r}")

    def _not_read(self, what):
        where = " or ".join(form.description for form in self.reads)
        return InvalidCredentials(
            f"{what} is not read here, so it cannot authenticate you; send the API key in {where}.",
            code="credential_not_read",
        )


#: Headers and query parameters that carry credentials somewhere (this engine's other surfaces,
#: other media servers' clients); a surface that does not read one refuses it.
CREDENTIAL_HEADERS = ("authorization", "x-emby-token", "x-mediabrowser-token", "x-plex-token")
CREDENTIAL_PARAMETERS = frozenset({"api_key", "apikey", "key", "token", "access_token"})

#: Which credentials each surface reads: the first whose prefix the path starts with decides.
#: Query keys are read only where a client cannot send a header (browsers opening a WebSocket),
#: so they stay out of proxies' logs and browser histories elsewhere. A later surface (the
#: OpenSubsonic ``apiKey`` or ``u`` + ``p``, OPDS's HTTP Basic) adds a row and its forms.
SURFACES = (
    Surface("hub", HUB_PREFIX, (X_API_KEY, BEARER, ACCESS_TOKEN)),
    # OpenSubsonic's own forms (apiKey, u + p, in the query or a form body) are read by
    # security.subsonic; the row says what the surface reads, so anything else is refused.
    Surface("subsonic", SUBSONIC_PREFIX, (X_API_KEY, CredentialForm("the apiKey parameter", "apiKey", lambda facts: None))),
    # E-readers know a user name and a password per catalog and nothing else.
    Surface("catalog", OPDS_PREFIX, (X_API_KEY, BASIC)),
    Surface("progress sync", KOSYNC_PREFIX, (X_API_KEY, BASIC)),
    Surface("api", "/", (X_API_KEY,)),
)


def surface_for(path):
    """The first surface whose prefix ``path`` lies under; the last row (the API) for a path that
    is not in normal form, which lies under no prefix whatever it starts with."""
    if not is_normal(path):
        return SURFACES[-1]
    return next(surface for surface in SURFACES if path.startswith(surface.prefix))


def _header_name(header):
    return "-".join(part.capitalize() for part in header.split("-"))


def presented_key(facts):
    """The key the request presents, or None when it presents none.

    The request's surface decides which forms are read (:data:`SURFACES`); a credential in a form
    the surface does not read is refused (:meth:`Surface.refuse_unread`), never ignored.
    """
    surface = surface_for(facts.path)
    surface.refuse_unread(facts)
    for form in surface.reads:
        plaintext = form.read(facts)
        if plaintext is not None:
            return plaintext
    return None



def authenticate_key(plaintext):
    """The principal for a key, or :class:`InvalidCredentials`. At most one query per call."""
    try:
        parsed = keys.parse(plaintext.strip())
    except keys.MalformedKey:
        raise InvalidCredentials() from None
    now = timezone.now()
    key = ApiKey.objects.by_key_id(parsed.key_id)
    if key is None or not key.is_active(now) or not keys.verify(parsed.plaintext, key.digest):
        raise InvalidCredentials()
    key_use.note_use(key, now)
    return Principal(role=Role(key.role), key=key)


def presents_sync_credential(facts):
    """KOReader's progress sync authenticates with ``x-auth-user`` and ``x-auth-key``."""
    return is_kosync_path(facts.path) and (facts.has_header("x-auth-key") or facts.has_header("x-auth-user"))


def authenticate_sync_key(userkey):
    """The principal of a progress-sync credential, or :class:`InvalidCredentials`.

    KOReader sends MD5(password), never the password, so the engine cannot check it against the
    key's own digest; it matches the SHA-256 of what was sent against the digest stored for that
    purpose when the key was made. Learning a stored digest gives nothing to send, and the
    credential dies with its key. At most one query.
    """
    userkey = (userkey or "").strip().lower()
    if len(userkey) != 32 or any(char not in "0123456789abcdef" for char in userkey):
        raise InvalidCredentials(INVALID_SYNC_KEY)
    now = timezone.now()
    key = ApiKey.objects.select_related("profile").filter(sync_digest=keys.digest(userkey)).first()
    if key is None or not key.is_active(now):
        raise InvalidCredentials(INVALID_SYNC_KEY)
    key_use.note_use(key, now)
    return Principal(role=Role(key.role), key=key, via=Via.SYNC)


def authenticate_stream_link(asset_id, query):
    """The principal of a signed stream link: the issuing key's role, for that one asset only.

    The issuing key is looked up through ``ApiKey.objects.active()`` on every request, so a link
    stops working the moment its key is revoked or expires.
    """
    try:
        link = stream_link_signer.read(asset_id, query)
        stream_link_signer.check(link)
    except InvalidLink:
        raise InvalidCredentials(INVALID_LINK) from None
    now = timezone.now()
    key = ApiKey.objects.active(now).select_related("profile").filter(key_id=link.key_id).first()
    if key is None:
        raise InvalidCredentials(INVALID_LINK)
    key_use.note_use(key, now)
    return Principal(role=Role(key.role), key=key, via=Via.LINK, asset_id=link.asset_id)


def authenticate_ticket(ticket, facts):
    """The principal a hub ticket stands for, consuming the ticket; :class:`InvalidCredentials`.

    The ticket names its holder, not a role: the issuing key is looked up again, so a ticket dies
    with its key, and one issued to the localhost bypass is good only for another local request.
    """
    holder = tickets.redeem(ticket)
    if holder is None:
        raise InvalidCredentials(INVALID_TICKET)
    if holder == tickets.LOCALHOST_HOLDER:
        if not is_local_request(facts):
            raise InvalidCredentials(INVALID_TICKET)
        return LOCALHOST
    key = ApiKey.objects.active().select_related("profile").filter(key_id=holder).first()
    if key is None:
        raise InvalidCredentials(INVALID_TICKET)
    return Principal(role=Role(key.role), key=key, via=Via.TICKET)


def holds_key(principal, plaintext):
    """Whether ``plaintext`` is the very key ``principal`` was admitted with (constant time)."""
    if principal.key is None:
        return False
    try:
        parsed = keys.parse(plaintext.strip())
    except keys.MalformedKey:
        return False
    return parsed.key_id == principal.key.key_id and keys.verify(parsed.plaintext, principal.key.digest)


def resolve_subsonic_principal(facts):
    """The caller of an OpenSubsonic request (``apiKey``, ``u`` + ``p``, or ``X-Api-Key``).

    The localhost bypass applies only when no credential parameter at all was sent.
    """
    surface_for(facts.path).refuse_unread(facts)
    header = facts.header("x-api-key") if facts.has_header("x-api-key") else None
    try:
        credential = subsonic.presented_credential(facts, header)
    except subsonic.CredentialRefused as refused:
        raise InvalidCredentials(refused.detail, refused.code, refused.help_url) from None
    if credential is None:
        return LOCALHOST if is_local_request(facts) else None
    try:
        return authenticate_key(credential.plaintext)
    except InvalidCredentials:
        raise InvalidCredentials(code=credential.invalid_code) from None


def resolve_principal(facts):
    """The caller of a request, None for nobody; :class:`InvalidCredentials` for a bad key."""
    if presents_sync_credential(facts):
        return authenticate_sync_key(facts.header("x-auth-key"))
    if is_subsonic_path(facts.path):
        return resolve_subsonic_principal(facts)
    plaintext = presented_key(facts)
    if plaintext is not None:
        if is_hub_path(facts.path) and tickets.looks_like_ticket(plaintext):
            return authenticate_ticket(plaintext, facts)
        return authenticate_key(plaintext)
    stream = STREAM_LINK_PATH.fullmatch(facts.path)
    if stream is not None and presents_link(facts.query):
        return authenticate_stream_link(int(stream.group(1)), facts.query)
    if is_local_request(facts):
        return LOCALHOST
    return None
