"""System methods: ping, licence, extensions, the caller's user, scans and folders."""

from django.db.models import Sum

from library.ingestion import services as ingestion
from library.models import LibraryRoot, MediaKind, ScanJob, ScanState, Work
from library.subsonic import catalog
from library.subsonic.errors import NOT_AUTHORIZED, SubsonicError
from library.subsonic.registry import method
from security.roles import Role

#: What ``getOpenSubsonicExtensions`` announces; each is implemented as its specification says.
EXTENSIONS = [
    {"name": "apiKeyAuthentication", "versions": [1]},
    {"name": "formPost", "versions": [1]},
]
#: Folders a music app browses: the music and audiobook ones, and mixed ones that may hold either.
MUSIC_FOLDER_KINDS = (MediaKind.MUSIC, MediaKind.AUDIOBOOKS, MediaKind.MIXED)


def username(principal):
    """The name a music app shows for the account: the caller's profile (the Owner's on the
    localhost bypass); ``u`` is not checked against it, since the key says whose it is."""
    return principal.profile.display_name


@method("ping")
def ping(call):
    return {}


@method("getLicense")
def get_license(call):
    return {"license": {"valid": True}}


@method("getOpenSubsonicExtensions")
def get_open_subsonic_extensions(call):
    return {"openSubsonicExtensions": EXTENSIONS}


@method("tokenInfo")
def token_info(call):
    return {"tokenInfo": {"username": username(call.principal)}}


def music_folders():
    return LibraryRoot.objects.filter(enabled=True, media_kind__in=MUSIC_FOLDER_KINDS).order_by("id")


def folder_name(root):
    """The folder's last path component: its name, without where it lies on the server."""
    return root.path.rstrip("/").rsplit("/", 1)[-1] or root.path


@method("getMusicFolders")
def get_music_folders(call):
    return {"musicFolders": {"musicFolder": [{"id": root.pk, "name": folder_name(root)} for root in music_folders()]}}


@method("getUser")
def get_user(call):
    """The caller's own account; a key knows no other Subsonic user."""
    name = username(call.principal)
    asked = call.params.text("username", name)
    if asked != name:
        raise SubsonicError(NOT_AUTHORIZED, "A key may only read its own user.")
    administrator = call.principal.is_administrator
    curator = call.principal.has_role(Role.CURATOR)
    return {"user": {
        "username": name,
        "scrobblingEnabled": True,
        "adminRole": administrator,
        "settingsRole": administrator,
        "downloadRole": True,
        "uploadRole": False,
        "playlistRole": True,
        "coverArtRole": curator,
        "commentRole": curator,
        "podcastRole": False,
        "streamRole": True,
        "jukeboxRole": False,
        "shareRole": False,
        "videoConversionRole": False,
        "folder": [root.pk for root in music_folders()],
    }}


def scan_status():
    running = ScanJob.objects.filter(state__in=(ScanState.QUEUED, ScanState.RUNNING))
    scanning = running.exists()
    if scanning:
        count = running.aggregate(seen=Sum("seen"))["seen"] or 0
    else:
        count = Work.objects.filter(kind__in=catalog.SONG_KINDS).count()
    return {"scanStatus": {"scanning": scanning, "count": count}}


@method("getScanStatus")
def get_scan_status(call):
    return scan_status()


@method("startScan", role=Role.ADMINISTRATOR)
def start_scan(call):
    """Scans every enabled folder, through the same service as ``POST /ingestion/scan``; folders
    already being scanned are left to finish."""
    ingestion.queue_all()
    return scan_status()
