"""Who may do what, for every route the URL resolver serves, from every kind of caller and network.

:data:`TABLE` is the one declaration of the rules (DESIGN.md, "Routes"); the cases are generated
from it and from the resolver, so a route added without a row here fails
:func:`test_every_route_of_the_resolver_is_declared` until someone decides who may call it.

A case is allowed when the answer is neither 401 nor 403: objects are named by ids that do not
exist, so an allowed call is typically a cheap 404 or 400 and changes nothing.
"""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from security import services
from security.audit import Actor
from security.models import ApiKey
from tests.conftest import EngineClient
from tests.key_format import forge, random_secret, split
from tests.routes import concrete, routes, shape

OPEN = "open"
ADMIN, CURATOR, CONSUMER = "Administrator", "Curator", "Consumer"
RANK = {CONSUMER: 1, CURATOR: 2, ADMIN: 3}

#: route (parameters as ``{}``) → {method: the weakest role allowed, or OPEN}. HEAD is implied by GET.
TABLE = {
    "/": {"GET": OPEN},
    "/system/status": {"GET": OPEN},
    "/admin/api-keys": {"GET": ADMIN, "POST": ADMIN},
    "/admin/api-keys/{}": {"DELETE": ADMIN},
    "/admin/api-keys/revoke-all": {"POST": ADMIN},
    "/admin/providers/{}/secret": {"GET": ADMIN, "PUT": ADMIN, "DELETE": ADMIN},
    "/admin/audit": {"GET": ADMIN},
    "/settings/folders": {"GET": ADMIN, "POST": ADMIN},
    "/settings/folders/{}": {"GET": ADMIN, "PUT": ADMIN, "DELETE": ADMIN},
    "/settings/test-path": {"POST": ADMIN},
    "/settings/providers": {"GET": CURATOR},
    "/settings/providers/{}": {"PUT": ADMIN},
    "/library/works": {"GET": CONSUMER},
    "/library/works/{}": {"GET": CONSUMER},
    "/library/works/{}/artwork": {"GET": CONSUMER},
    "/stream/{}": {"GET": CONSUMER, "HEAD": CONSUMER},
    "/stream/{}/link": {"GET": CONSUMER},
    "/metadata/claims/{}": {"GET": CONSUMER},
    "/metadata/lock-claim": {"POST": CURATOR},
    "/metadata/resolve": {"POST": CURATOR},
    "/profiles": {"GET": ADMIN, "POST": ADMIN},
    "/profiles/{}": {"GET": ADMIN, "PUT": ADMIN, "PATCH": ADMIN, "DELETE": ADMIN},
    "/profiles/{}/keys": {"GET": ADMIN},
    "/profiles/{}/keys/revoke-all": {"POST": ADMIN},
    "/me": {"GET": CONSUMER},
    "/me/stars": {"GET": CONSUMER},
    "/me/stars/{}/{}": {"PUT": CONSUMER, "DELETE": CONSUMER},
    "/me/ratings": {"GET": CONSUMER},
    "/me/ratings/{}/{}": {"PUT": CONSUMER, "DELETE": CONSUMER},
    "/me/plays": {"GET": CONSUMER, "POST": CONSUMER},
    "/me/bookmarks": {"GET": CONSUMER},
    "/me/bookmarks/{}": {"PUT": CONSUMER, "DELETE": CONSUMER},
    "/me/play-queue": {"GET": CONSUMER, "PUT": CONSUMER, "DELETE": CONSUMER},
    "/playlists": {"GET": CONSUMER, "POST": CONSUMER},
    "/playlists/{}": {"GET": CONSUMER, "PUT": CONSUMER, "PATCH": CONSUMER, "DELETE": CONSUMER},
    "/ingestion/scan": {"POST": ADMIN},
    "/ingestion/jobs": {"GET": ADMIN},
    "/ingestion/jobs/{}": {"GET": ADMIN},
    "/hubs/intercom/negotiate": {"POST": CONSUMER},
    "/hubs/intercom/ticket": {"POST": CONSUMER},
    "/schema/": {"GET": ADMIN},
    "/schema/docs/": {"GET": ADMIN},
    **{
        f"/opds/{prefix}{route}": {"GET": CONSUMER, "HEAD": CONSUMER}
        for prefix in ("", "v2/")
        for route in ("", "recent", "kinds/{}", "authors", "authors/{}", "series", "series/{}", "search")
    },
    "/opds/opensearch.xml": {"GET": CONSUMER, "HEAD": CONSUMER},
    "/opds/stream/{}": {"GET": CONSUMER, "HEAD": CONSUMER},
    "/opds/works/{}/artwork": {"GET": CONSUMER},
    "/kosync/users/auth": {"GET": CONSUMER},
    "/kosync/users/create": {"POST": CONSUMER},
    "/kosync/syncs/progress": {"PUT": CONSUMER},
    "/kosync/syncs/progress/{}": {"GET": CONSUMER},
    "/kosync/healthcheck": {"GET": CONSUMER},
    "/library/works/{}/progress": {"GET": CONSUMER, "PUT": CONSUMER, "DELETE": CONSUMER},
    # One route, many methods: each method's role is in SUBSONIC_TABLE.
    "/rest/{}": {"GET": CONSUMER, "POST": CONSUMER},
}

#: OpenSubsonic method → the weakest role allowed. Refusals are Subsonic errors with HTTP 200
#: (10 no credential, 44 invalid key, 50 role), so these cases are judged by the error code.
SUBSONIC_TABLE = {
    "ping": CONSUMER, "getLicense": CONSUMER, "getOpenSubsonicExtensions": CONSUMER, "tokenInfo": CONSUMER,
    "getMusicFolders": CONSUMER, "getIndexes": CONSUMER, "getMusicDirectory": CONSUMER, "getArtists": CONSUMER,
    "getArtist": CONSUMER, "getAlbum": CONSUMER, "getSong": CONSUMER, "getAlbumList2": CONSUMER,
    "getRandomSongs": CONSUMER, "getGenres": CONSUMER, "search3": CONSUMER, "stream": CONSUMER, "download": CONSUMER,
    "getUser": CONSUMER, "getScanStatus": CONSUMER, "startScan": ADMIN,
    "star": CONSUMER, "unstar": CONSUMER, "setRating": CONSUMER, "scrobble": CONSUMER, "getStarred2": CONSUMER,
    "getPlaylists": CONSUMER, "getPlaylist": CONSUMER, "createPlaylist": CONSUMER, "updatePlaylist": CONSUMER,
    "deletePlaylist": CONSUMER, "getBookmarks": CONSUMER, "createBookmark": CONSUMER, "deleteBookmark": CONSUMER,
    "getPlayQueue": CONSUMER, "savePlayQueue": CONSUMER, "getCoverArt": CONSUMER,
}
SUBSONIC_REFUSALS = {10: 401, 40: 401, 41: 401, 43: 401, 44: 401, 50: 403}

#: Routes with a rule beyond the role: the hub refuses a foreign Origin even with a key (a page
#: elsewhere must not open it), and stream links are bound to a key, so the keyless localhost
#: Administrator is refused one.
ORIGIN_CHECKED = {"/hubs/intercom/negotiate"}
KEYS_ONLY = {"/stream/{}/link"}
#: Routes a protocol has that the engine answers only with a refusal, whoever calls: KOReader's
#: registration (accounts are keys, made by Administrators). Callers who get that far see 403.
REFUSES_EVERYONE = {"/kosync/users/create"}

#: The Django admin authenticates with its own staff session; tests/test_deny_by_default.py covers it.
OWN_AUTHENTICATION = ("/django-admin/",)

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def declared_routes():
    return sorted({(shape(route), concrete(route)) for route in routes() if not shape(route).startswith(OWN_AUTHENTICATION)})


@dataclass(frozen=True)
class Network:
    """Where a request comes from: TCP peer, Host, extra headers, and whether the proxy is trusted."""

    name: str
    peer: str
    host: str
    headers: tuple = ()
    trusted_proxies: tuple = ()
    #: Whether an anonymous caller here is the localhost Administrator (for safe methods / for all).
    local_safe: bool = False
    local_unsafe: bool = False
    cross_site: bool = False


NETWORKS = [
    Network("remote", "203.0.113.10", "media.example.test"),
    Network("loopback", "127.0.0.1", "localhost:8000", local_safe=True, local_unsafe=True),
    # A remote caller claiming to be forwarded for 127.0.0.1 and naming localhost: no proxy is trusted.
    Network("spoofed-forwarded", "203.0.113.10", "localhost:8000", (("X-Forwarded-For", "127.0.0.1"),)),
    # A reverse proxy on this host that is not declared trusted: everything behind it is remote.
    Network("untrusted-local-proxy", "127.0.0.1", "localhost:8000", (("X-Forwarded-For", "198.51.100.20"),)),
    # A declared proxy forwarding an internet client.
    Network("proxied", "127.0.0.1", "media.example.test", (("X-Forwarded-For", "198.51.100.20"),), ("127.0.0.1/32",)),
    # A declared proxy forwarding a tool on its own host: that one is local.
    Network(
        "proxied-loopback", "127.0.0.1", "localhost:8000", (("X-Forwarded-For", "127.0.0.1"),), ("127.0.0.1/32",),
        local_safe=True, local_unsafe=True,
    ),
    # A page of another site in the local browser: no bypass for any method (a page can play
    # <video src=...> or load <img src=...> without reading the answer), and no hub.
    Network(
        "cross-site-origin", "127.0.0.1", "localhost:8000",
        (("Origin", "https://attacker.example"), ("Sec-Fetch-Site", "cross-site")),
        cross_site=True,
    ),
]

CALLERS = ["bad key", "unknown key", "revoked", "expired", CONSUMER, CURATOR, ADMIN, "anonymous"]


def expected(caller, network, shape, method, rule):
    """``"allowed"``, 401 or 403 for one case, from the table and the rules of DESIGN.md."""
    if rule == OPEN:
        return "allowed"
    if caller in ("bad key", "unknown key", "revoked", "expired"):
        return 401
    if caller == "anonymous":
        local = network.local_unsafe if method not in ("GET", "HEAD") else network.local_safe
        if not local:
            return 401
        role = ADMIN
        if shape in KEYS_ONLY:
            return 403
    else:
        role = caller
    if shape in ORIGIN_CHECKED and network.cross_site:
        return 403
    if shape in REFUSES_EVERYONE:
        return 403
    return "allowed" if RANK[role] >= RANK[rule] else 403


def keys_for_callers():
    """Plaintext keys per caller (None for anonymous), made fresh: revoke-all may end them."""
    actor = Actor("authorisation matrix")
    made = {}
    for role in (CONSUMER, CURATOR, ADMIN):
        made[role] = services.create_key(label=f"matrix {role}", role=role, actor=actor)[1]
    revoked_row, made["revoked"] = services.create_key(label="matrix revoked", role=ADMIN, actor=actor)
    services.revoke_key(revoked_row, actor=actor)
    expired_row, made["expired"] = services.create_key(label="matrix expired", role=ADMIN, actor=actor)
    ApiKey.objects.filter(pk=expired_row.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    made["bad key"] = "not-a-key"
    # Well-formed with a valid checksum, an issued key's id, a secret never issued: it reaches
    # the database and the digest comparison.
    key_id, secret = split(made[ADMIN])
    made["unknown key"] = forge(key_id, secret[::-1] if secret[::-1] != secret else random_secret())
    made["anonymous"] = None
    return made


def declared_cases():
    for shape, path in declared_routes():
        if shape == "/rest/{}":
            continue
        for method, rule in TABLE.get(shape, {}).items():
            for network in NETWORKS:
                yield pytest.param(shape, path, method, rule, network, id=f"{method} {shape} {network.name}")


@pytest.fixture
def trust(settings):
    def apply(proxies):
        settings.MEDIA_ENGINE = {**django_settings.MEDIA_ENGINE, "TRUSTED_PROXIES": list(proxies)}

    return apply


def test_every_route_of_the_resolver_is_declared():
    undeclared = [shape for shape, _ in declared_routes() if shape not in TABLE]
    assert not undeclared, f"declare who may call these routes in TABLE: {undeclared}"


def test_the_table_names_no_route_that_does_not_exist():
    assert set(TABLE) <= {shape for shape, _ in declared_routes()}


@pytest.mark.django_db
@pytest.mark.parametrize("shape,path,method,rule,network", list(declared_cases()))
def test_authorisation(shape, path, method, rule, network, trust):
    trust(network.trusted_proxies)
    keys = keys_for_callers()
    client = EngineClient(peer=network.peer, host=network.host)
    wrong = []
    # The anonymous caller goes last: on loopback it is the Administrator and may revoke every key.
    for caller in CALLERS:
        headers = dict(network.headers)
        if keys[caller] is not None:
            headers["X-Api-Key"] = keys[caller]
        kwargs = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
        status = client.request(method, path, headers=headers, **kwargs).status_code
        want = expected(caller, network, shape, method, rule)
        got = "allowed" if status not in (401, 403) else status
        if got != want:
            wrong.append(f"{caller}: expected {want}, got {status}")
        assert status < 500, (caller, status)
    assert not wrong, wrong


def undeclared_method_cases():
    for shape, path in declared_routes():
        declared = set(TABLE.get(shape, {}))
        if "GET" in declared:
            declared.add("HEAD")
        for method in METHODS:
            if shape in TABLE and method not in declared:
                yield pytest.param(shape, path, method, id=f"{method} {shape}")


@pytest.mark.django_db
@pytest.mark.parametrize("shape,path,method", list(undeclared_method_cases()))
def test_methods_missing_from_the_table_do_nothing_even_for_administrators(shape, path, method, client_as):
    response = client_as(ADMIN).request(method, path, **({"json": {}} if method in ("POST", "PUT", "PATCH") else {}))
    assert response.status_code == 405, (method, path, response.status_code)
    if method == "HEAD":
        return
    if path.startswith("/rest/"):
        # OpenSubsonic's own error format (its default, XML), the HTTP status kept.
        assert '<subsonic-response xmlns="http://subsonic.org/restapi" status="failed"' in response.text, response.text
        assert '<error code="0" message="Method not allowed." />' in response.text, response.text
        return
    if path.startswith("/kosync/"):
        # KOReader's sync protocol numbers its errors; the engine's code stays as "error".
        assert response.json() == {
            "code": 2003, "message": "Method not allowed.", "detail": "Method not allowed.", "error": "method_not_allowed",
        }, response.text
        return
    assert response.json()["code"] == "method_not_allowed", response.text


def test_the_matrix_covers_every_caller_and_network():
    cases = list(declared_cases())
    assert len(cases) == sum(len(methods) for shape, methods in TABLE.items() if shape != "/rest/{}") * len(NETWORKS)
    assert len(list(subsonic_cases())) == len(SUBSONIC_TABLE) * 2 * len(NETWORKS)


def test_every_subsonic_method_is_declared():
    from library.subsonic.registry import METHODS

    assert set(METHODS) == set(SUBSONIC_TABLE)


def subsonic_cases():
    for name, rule in SUBSONIC_TABLE.items():
        for method in ("GET", "POST"):
            for network in NETWORKS:
                yield pytest.param(name, method, rule, network, id=f"{method} /rest/{name} {network.name}")


@pytest.mark.django_db
@pytest.mark.parametrize("name,method,rule,network", list(subsonic_cases()))
def test_subsonic_authorisation(name, method, rule, network, trust):
    """The same callers and networks, each credential sent as ``apiKey`` (a form field for POST)."""
    trust(network.trusted_proxies)
    keys = keys_for_callers()
    client = EngineClient(peer=network.peer, host=network.host)
    wrong = []
    for caller in CALLERS:
        params = {
            "f": "json", "id": "987654", "type": "newest", "name": "matrix", "rating": "0", "position": "0",
            "playlistId": "987654", "current": "987654", "c": "matrix", "v": "1.16.1",
        }
        if keys[caller] is not None:
            params["apiKey"] = keys[caller]
        sent = {"data": params} if method == "POST" else {"params": params}
        response = client.request(method, f"/rest/{name}", headers=dict(network.headers), **sent)
        assert response.status_code == 200, (caller, response.status_code)
        body = response.json()["subsonic-response"]
        code = body.get("error", {}).get("code")
        got = SUBSONIC_REFUSALS.get(code, "allowed")
        want = expected(caller, network, "/rest/{}", method, rule)
        if got != want:
            wrong.append(f"{caller}: expected {want}, got error {code}")
    assert not wrong, wrong
