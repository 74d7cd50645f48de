"""The library's tables, one module per area; import them from here."""

from library.models.artwork import Artwork
from library.models.claims import Claim
from library.models.folders import LibraryRoot, MediaKind
from library.models.providers import Provider, ProviderName
from library.models.scans import ScanFailure, ScanJob, ScanState, ScanTrigger
from library.models.state import Bookmark, ItemKind, Play, Playlist, PlaylistEntry, PlayQueue, PlayQueueEntry, Rating, Star
from library.models.works import Asset, AssetLocation, AssetRole, Work, WorkCount, WorkKind

__all__ = [
    "Artwork",
    "Asset",
    "AssetLocation",
    "AssetRole",
    "Bookmark",
    "Claim",
    "ItemKind",
    "LibraryRoot",
    "MediaKind",
    "Play",
    "PlayQueue",
    "PlayQueueEntry",
    "Playlist",
    "PlaylistEntry",
    "Provider",
    "ProviderName",
    "Rating",
    "ScanFailure",
    "ScanJob",
    "ScanState",
    "ScanTrigger",
    "Star",
    "Work",
    "WorkCount",
    "WorkKind",
]
