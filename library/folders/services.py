"""Writes about library folders; the REST views, the Django admin and commands all call these."""

import os

from django.db import transaction
from django.utils import timezone

from engine.errors import BadInput, Conflict
from library import events
from library.models import Asset, LibraryRoot, ScanJob, ScanState, Work
from security import paths
from security.audit import apply_changes, record


def validated_root_path(raw):
    """A client's path → the resolved real path of an existing directory, or :class:`BadInput`."""
    real = paths.validate_client_path(raw)
    if not os.path.isdir(real):
        raise BadInput("The path is not an existing directory on the server.", "not_a_directory")
    return real


def _refuse_overlap(real, *, exclude=None):
    others = LibraryRoot.objects.exclude(pk=exclude) if exclude else LibraryRoot.objects.all()
    for other in others.only("path"):
        if paths.overlaps(real, other.path):
            if paths.is_within(real, other.path) and paths.is_within(other.path, real):
                raise Conflict(f"This folder is already configured (folder {other.pk}).", "duplicate_folder")
            raise BadInput(f"The folder overlaps an existing library folder (folder {other.pk}).", "overlapping_root")


def probe(path):
    """``(accessible, readable)`` of a directory, by opening it: no file is created."""
    try:
        with os.scandir(path) as listing:
            next(listing, None)
        return True, True
    except PermissionError:
        return os.path.isdir(path), False
    except OSError:
        return False, False


def refresh_health(folder):
    """Re-check a folder's health; publishes ``FolderHealthChanged`` only when it changed."""
    accessible, readable = probe(folder.path)
    changed = (accessible, readable) != (folder.accessible, folder.readable) or folder.checked_at is None
    folder.accessible, folder.readable, folder.checked_at = accessible, readable, timezone.now()
    LibraryRoot.objects.filter(pk=folder.pk).update(accessible=accessible, readable=readable, checked_at=folder.checked_at)
    if changed:
        events.folder_health_changed(folder)
    return folder


def create_folder(*, path, actor, media_kind="mixed", enabled=True):
    real = validated_root_path(path)
    with transaction.atomic():
        _refuse_overlap(real)
        folder = LibraryRoot.objects.create(path=real, media_kind=media_kind, enabled=enabled)
        record("folder.created", actor, f"folder {folder.pk}: {real} ({media_kind})")
    if enabled:
        events.watch_folder_active(folder, True)
    return refresh_health(folder)


def update_folder(folder, *, actor, **changes):
    """Change ``path``, ``media_kind`` and/or ``enabled``; a new path passes the same checks."""
    if "path" in changes:
        changes["path"] = validated_root_path(changes["path"])
    with transaction.atomic():
        folder = LibraryRoot.objects.select_for_update().get(pk=folder.pk)
        if "path" in changes and changes["path"] != folder.path:
            _refuse_overlap(changes["path"], exclude=folder.pk)
            if ScanJob.objects.filter(folder=folder, state__in=[ScanState.QUEUED, ScanState.RUNNING]).exists():
                raise Conflict("A scan of this folder is queued or running; move it afterwards.", "scan_in_progress")
        was_enabled = folder.enabled
        described = apply_changes(folder, changes)
        folder.save()
        record("folder.updated", actor, f"folder {folder.pk}: {described}")
    if folder.enabled != was_enabled:
        events.watch_folder_active(folder, folder.enabled)
    return refresh_health(folder)


def delete_folder(folder, *, actor):
    """Remove a root, its locations and scans, and the works that now have no file anywhere."""
    with transaction.atomic():
        folder = LibraryRoot.objects.select_for_update().get(pk=folder.pk)
        if ScanJob.objects.filter(folder=folder, state=ScanState.RUNNING).exists():
            raise Conflict("A scan of this folder is running; delete it when the scan has finished.", "scan_in_progress")
        asset_ids = list(folder.locations.values_list("asset_id", flat=True).distinct())
        record("folder.deleted", actor, f"folder {folder.pk}: {folder.path}")
        if folder.enabled:
            events.watch_folder_active(folder, False)
        folder.delete()
        orphans = Asset.objects.filter(pk__in=asset_ids, locations__isnull=True)
        work_ids = list(orphans.values_list("work_id", flat=True))
        orphans.delete()
        Work.objects.filter(pk__in=work_ids, assets__isnull=True).delete()


def test_path(raw):
    """What the server sees at a path, for the folder picker; never creates anything."""
    real = paths.validate_client_path(raw)
    exists = os.path.exists(real)
    is_dir = os.path.isdir(real)
    return {
        "path": real,
        "exists": exists,
        "is_dir": is_dir,
        "readable": exists and os.access(real, os.R_OK | (os.X_OK if is_dir else 0)),
        "writable": exists and os.access(real, os.W_OK | (os.X_OK if is_dir else 0)),
    }
