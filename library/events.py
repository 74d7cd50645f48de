"""The hub events the library publishes (scans, folders, metadata, per-profile state), each built
once here.

Events naming folders, paths or files go to Administrators only; ``MediaAdded`` and
``MetadataHarvested`` carry work ids, kinds, titles and field names (what every role may browse)
and go to everyone. ``PlayQueueChanged`` goes to the connections of the profile whose queue it
is; ``PlaylistChanged`` to the owner's, or to everyone while the playlist is (or was) public.
``intercom.events.publish`` never raises, so no event can fail a scan or a request.
"""

from intercom import events as hub


def _counts(job):
    return {
        "total": job.total,
        "percent": job.percent,
        "seen": job.seen,
        "added": job.added,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "missing": job.missing,
        "failed": job.failed,
    }


#: Paths an incremental scan names in its IngestionStarted event, at most.
SCOPE_SHOWN = 100


def scan_started(job):
    scope = job.scope
    hub.publish(
        "IngestionStarted",
        {
            "jobId": job.pk, "folderId": job.folder_id, "path": job.folder.path, "trigger": job.trigger,
            "paths": None if scope is None else [path.decode("utf-8", "backslashreplace") for path in scope[:SCOPE_SHOWN]],
            "attempts": job.attempts,
        },
        audience=hub.ADMINISTRATORS,
    )


def scan_progress(job):
    hub.publish(
        "IngestionProgress",
        {"jobId": job.pk, "folderId": job.folder_id, **_counts(job), "currentFile": job.current_file},
        audience=hub.ADMINISTRATORS,
    )


def scan_completed(job):
    duration = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else None
    hub.publish(
        "IngestionCompleted",
        {"jobId": job.pk, "folderId": job.folder_id, "trigger": job.trigger, **_counts(job),
         "attempts": job.attempts, "durationSeconds": duration},
        audience=hub.ADMINISTRATORS,
    )


def scan_failed(job):
    hub.publish(
        "IngestionFailed",
        {"jobId": job.pk, "folderId": job.folder_id, "trigger": job.trigger, "error": job.error, **_counts(job),
         "attempts": job.attempts},
        audience=hub.ADMINISTRATORS,
    )


def media_added(work, asset, root):
    hub.publish(
        "MediaAdded",
        {"workId": work.pk, "assetId": asset.pk, "kind": work.kind, "title": work.title, "folderId": root.pk},
        audience=hub.EVERYONE,
    )


def folder_health_changed(folder):
    hub.publish(
        "FolderHealthChanged",
        {
            "folderId": folder.pk,
            "path": folder.path,
            "accessible": folder.accessible,
            "readable": folder.readable,
            "checkedAt": folder.checked_at.isoformat() if folder.checked_at else None,
        },
        audience=hub.ADMINISTRATORS,
    )


def watch_folder_active(folder, active):
    """A library folder starts (created, enabled) or stops (disabled, deleted) being part of the library."""
    hub.publish(
        "WatchFolderActive",
        {"folderId": folder.pk, "path": folder.path, "mediaKind": folder.media_kind, "active": active},
        audience=hub.ADMINISTRATORS,
    )


def metadata_harvested(work, provider, claims, changed):
    """A provider's answer was recorded as ``claims`` and changed the ``changed`` fields."""
    hub.publish(
        "MetadataHarvested",
        {
            "workId": work.pk,
            "source": provider.name,
            "fields": sorted(claim.field for claim in claims),
            "changed": sorted(changed),
        },
    )


def playlist_changed(playlist, change, *, was_public=False):
    """``change`` is ``created``, ``updated`` or ``deleted``; a device following the playlist
    fetches it again (``GET /playlists/{id}``)."""
    public = playlist.public or was_public
    hub.publish(
        "PlaylistChanged",
        {"playlistId": playlist.pk, "ownerId": playlist.owner_id, "change": change, "public": playlist.public},
        audience=hub.EVERYONE if public else hub.profile(playlist.owner_id),
    )


def play_queue_changed(profile_id, queue, entry_count, *, changed_by=None):
    """The profile's play queue was saved (``queue``) or cleared (``queue`` None)."""
    hub.publish(
        "PlayQueueChanged",
        {
            "changedBy": queue.changed_by if queue is not None else changed_by or "",
            "changedAt": queue.changed_at if queue is not None else None,
            "currentIndex": queue.current_position if queue is not None else None,
            "positionMs": queue.position_ms if queue is not None else 0,
            "entryCount": entry_count,
        },
        audience=hub.profile(profile_id),
    )
