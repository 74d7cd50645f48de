"""The hub events a scan publishes, each built once here from the job's state.

Events naming folders, paths or files go to Administrators only; ``MediaAdded`` carries a work's
id, kind and title (what every role may browse) and goes to everyone.
"""

from intercom import events as hub


def _counts(job):
    return {
        "seen": job.seen,
        "added": job.added,
        "updated": job.updated,
        "unchanged": job.unchanged,
        "missing": job.missing,
        "failed": job.failed,
    }


def _publish(name, payload, audience):
    try:
        hub.publish(name, payload, audience=audience)
    except Exception:  # publishing must never break a scan
        pass


def scan_started(job):
    _publish("IngestionStarted", {"jobId": job.pk, "folderId": job.folder_id, "path": job.folder.path}, hub.ADMINISTRATORS)


def scan_progress(job):
    _publish(
        "IngestionProgress",
        {"jobId": job.pk, "folderId": job.folder_id, **_counts(job), "currentFile": job.current_file},
        hub.ADMINISTRATORS,
    )


def scan_completed(job):
    duration = (job.finished_at - job.started_at).total_seconds() if job.started_at and job.finished_at else None
    _publish(
        "IngestionCompleted",
        {"jobId": job.pk, "folderId": job.folder_id, **_counts(job), "durationSeconds": duration},
        hub.ADMINISTRATORS,
    )


def scan_failed(job):
    _publish("IngestionFailed", {"jobId": job.pk, "folderId": job.folder_id, "error": job.error, **_counts(job)}, hub.ADMINISTRATORS)


def media_added(work, asset, root):
    _publish(
        "MediaAdded",
        {"workId": work.pk, "assetId": asset.pk, "kind": work.kind, "title": work.title, "folderId": root.pk},
        hub.EVERYONE,
    )


def folder_health_changed(folder):
    _publish(
        "FolderHealthChanged",
        {
            "folderId": folder.pk,
            "path": folder.path,
            "accessible": folder.accessible,
            "readable": folder.readable,
            "checkedAt": folder.checked_at.isoformat() if folder.checked_at else None,
        },
        hub.ADMINISTRATORS,
    )


def watch_folder_active(folder, active):
    """A library folder starts (created, enabled) or stops (disabled, deleted) being part of the library."""
    _publish(
        "WatchFolderActive",
        {"folderId": folder.pk, "path": folder.path, "mediaKind": folder.media_kind, "active": active},
        hub.ADMINISTRATORS,
    )
