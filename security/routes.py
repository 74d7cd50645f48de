"""Every path the security layer reasons about, named once.

The principal, the rate policies, the deny-by-default middleware and the OpenAPI document each
decide by path: which request may present a key in its query, which one a signed link opens,
which quota it spends, which is open to everyone. Written as literals in each module, renaming a
URL would silently change security; here they are one list, and ``tests/test_security_routes.py``
holds each against the URL conf (and the hub's WebSocket routing), so a rename fails the suite.
"""

import re

#: Open to everyone (the landing page, the health probe); a valid principal is still recognised.
OPEN_PATHS = frozenset({"/", "/system/status"})

#: The Django admin, which authenticates with its own staff session (browsers cannot send keys).
DJANGO_ADMIN_PREFIX = "/django-admin/"

#: ``POST`` here creates an API key: the key-generation quota.
KEY_GENERATION_PATH = "/admin/api-keys"

#: Files and their signed links: the streaming quota.
STREAM_PREFIX = "/stream/"
#: The only path a signed stream link authenticates: the file itself, not ``/link`` or any API.
STREAM_LINK_PATH = re.compile(r"/stream/([0-9]{1,18})", re.ASCII)

#: A work's cover art, fetched by players with every track they show: the streaming quota.
ARTWORK_PATH = re.compile(r"/library/works/[0-9]{1,18}/artwork", re.ASCII)

#: The hub's paths (negotiate, ticket, the WebSocket), where a key may also come as a bearer
#: token or ``access_token``.
HUB_PREFIX = "/hubs/"
#: The Intercom hub's WebSocket.
HUB_PATH = "/hubs/intercom"

#: The OpenSubsonic API, ``/rest/{method}`` with an optional ``.view``: the one surface that reads
#: its own credential forms (``apiKey``, ``u`` + ``p``) from the query or a form body, and answers
#: refusals in its protocol's format.
SUBSONIC_PREFIX = "/rest/"
#: Subsonic methods that send files: the streaming quota, like ``/stream/``.
SUBSONIC_STREAMING_METHODS = frozenset({"stream", "download", "getCoverArt"})

#: The OPDS catalog for e-readers: its feeds, and the files and covers they link to (readers send
#: the catalog's credentials with every request to it, downloads included).
OPDS_PREFIX = "/opds/"
#: An OPDS download (the asset's file, as ``/stream/{id}`` serves it): the streaming quota.
OPDS_STREAM_PATH = re.compile(r"/opds/stream/([0-9]{1,18})", re.ASCII)
#: An OPDS cover or thumbnail (a work's artwork): the streaming quota, like the file.
OPDS_ARTWORK_PATH = re.compile(r"/opds/works/[0-9]{1,18}/artwork", re.ASCII)
#: KOReader's progress sync (the kosync protocol), which reads its own headers as well.
KOSYNC_PREFIX = "/kosync/"
#: Where HTTP Basic is read (the password an engine key) and asked for in a 401: e-readers can
#: send nothing else. Nowhere else, so a browser that learnt Basic credentials here cannot
#: attach them to the rest of the API.
BASIC_AUTH_PREFIXES = (OPDS_PREFIX, KOSYNC_PREFIX)


def is_normal(path):
    """Whether ``path`` names what it spells: no ``.`` or ``..`` segment, no empty one but a
    trailing slash. ``/static/../admin/api-keys`` starts with an exempt prefix and is not under it."""
    segments = path.split("/")[1:]
    return path.startswith("/") and "" not in segments[:-1] and "." not in segments and ".." not in segments


def is_unguarded(path):
    """Outside the API: the Django admin, which has its own staff login and login limit.

    Static files need no exemption here: WhiteNoise serves the real ones before the engine's
    middleware runs, so a ``/static/`` path that reaches it names no file and is judged like any.
    """
    return path.startswith(DJANGO_ADMIN_PREFIX) and is_normal(path)


def stream_path(asset_id):
    """The path of an asset's file, which :data:`STREAM_LINK_PATH` matches."""
    return f"{STREAM_PREFIX}{int(asset_id)}"


def is_hub_path(path):
    return path.startswith(HUB_PREFIX) and is_normal(path)


def is_subsonic_path(path):
    return path.startswith(SUBSONIC_PREFIX) and is_normal(path)


def subsonic_method(path):
    """``/rest/ping.view`` → ``"ping"``; None outside the OpenSubsonic API."""
    if not is_subsonic_path(path):
        return None
    return path[len(SUBSONIC_PREFIX):].removesuffix(".view")


def reads_basic_auth(path):
    return path.startswith(BASIC_AUTH_PREFIXES)


def is_kosync_path(path):
    return path.startswith(KOSYNC_PREFIX)


def is_streaming_path(path):
    """Files and pictures: ``/stream/…``, a work's artwork, the OpenSubsonic methods that send
    them, and the OPDS downloads and covers."""
    return (
        path.startswith(STREAM_PREFIX)
        or any(pattern.fullmatch(path) for pattern in (ARTWORK_PATH, OPDS_STREAM_PATH, OPDS_ARTWORK_PATH))
        or subsonic_method(path) in SUBSONIC_STREAMING_METHODS
    )
