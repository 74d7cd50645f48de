"""The library's tables, one module per area; import them from here."""

from library.models.claims import Claim
from library.models.folders import LibraryRoot, MediaKind
from library.models.providers import Provider, ProviderName
from library.models.scans import ScanFailure, ScanJob, ScanState, ScanTrigger
from library.models.works import Asset, AssetLocation, AssetRole, Work, WorkCount, WorkKind

__all__ = [
    "Asset",
    "AssetLocation",
    "AssetRole",
    "Claim",
    "LibraryRoot",
    "MediaKind",
    "Provider",
    "ProviderName",
    "ScanFailure",
    "ScanJob",
    "ScanState",
    "ScanTrigger",
    "Work",
    "WorkCount",
    "WorkKind",
]
