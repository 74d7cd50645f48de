"""Writing what a scan found: assets, works with their claims, locations, failures, and files gone.

Files are written in batches, each in one transaction of a few statements (a work per new
content, its claims, its asset, the locations), not a transaction per file: the ORM's per-row
cost was most of a first scan. Identical content is one asset with several locations, within a
batch as across scans; should another scan take in the same content at the same moment, the
batch is written again and finds its asset.

The scan never writes canonical values itself: ``metadata.services.create_works`` resolves new
works by the one rule. Files that vanished are marked missing, never deleted.
"""

import logging
import os
import time
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from library import events
from library.artwork.pictures import Picture
from library.artwork.store import store as store_artwork
from library.ingestion import detect, inspection, sidecars, works
from library.ingestion.detect import MediaType
from library.ingestion.dispatch import Inspected, Unchanged
from library.ingestion.progress import display
from library.ingestion.walk import Refusal
from library.metadata.services import create_works
from library.models import Asset, AssetLocation, AssetRole, ScanFailure
from library.models.works import identity

logger = logging.getLogger(__name__)
#: Files per transaction, and the longest a taken-in file waits for its batch to be written.
BATCH = 200
FLUSH_AFTER = 0.5
UPDATE_CHUNK = 500
NOT_MEDIA = "content is not a recognised media format"
NO_VIDEO = "the video beside this subtitle is not in the library"
_LOCATION_FIELDS = ("asset", "size", "mtime_ns", "device", "inode", "missing_since", "seen_at", "relative_path", "symlink", "utf8_path")


@dataclass
class Known:
    """A location the root already had before this scan."""

    id: int
    size: int
    mtime_ns: int
    missing: bool
    #: ``file_identity`` of the file the last scan took in; None for a row from before they were kept.
    identity: dict | None = None


def known_locations(root, walk):
    """``{raw relative path: Known}`` for the root's locations that ``walk`` covers."""
    rows = AssetLocation.objects.filter(root=root).values_list("id", "raw_path", "size", "mtime_ns", "missing_since", "device", "inode")
    known = {
        bytes(raw): Known(pk, size, mtime, missing is not None, None if inode is None else {"device": device, "inode": inode})
        for pk, raw, size, mtime, missing, device, inode in rows.iterator(2000)
    }
    if walk.scope is not None:
        known = {rel: location for rel, location in known.items() if walk.covers(rel)}
    return known


class Recorder:
    """Takes the dispatcher's items for ``job``'s scan of ``root`` and writes them."""

    def __init__(self, job, root, known, progress):
        self.job, self.root, self.known, self.progress = job, root, known, progress
        self.added_work_ids = []
        self._batch, self._failures = [], []
        self._seen, self._still_there = set(), []
        self._subtitles, self._met = [], set()
        self._unidentified = []
        self._oldest = None

    def take(self, item):
        self._met.add(item.entry.rel if isinstance(item, Inspected) else item.rel)
        if isinstance(item, Unchanged):
            self._seen.add(item.rel)
            self._still_there.append(item.known)
            if item.identity is not None:
                self._unidentified.append((item.known.id, item.identity))
            self.progress.count("unchanged", item.rel)
        elif isinstance(item, Refusal):
            self._fail(item.rel, item.reason, present=item.present)
        elif isinstance(item, Inspected):
            self._inspected(item.entry, item.answer)
        if self._oldest is None and (self._batch or self._failures):
            self._oldest = time.monotonic()
        if len(self._batch) >= BATCH or len(self._failures) >= BATCH or (
            self._oldest is not None and time.monotonic() - self._oldest >= FLUSH_AFTER
        ):
            self.flush()
        self.progress.report()

    def _inspected(self, entry, answer):
        outcome = answer["outcome"]
        if outcome == inspection.MEDIA and answer["category"] == detect.SUBTITLE:
            self._subtitles.append((entry, answer))  # once the videos beside them are written
        elif outcome == inspection.MEDIA:
            self._batch.append((entry, answer))
        elif outcome == inspection.FAILED:
            self._fail(entry.rel, answer["reason"])
        elif entry.claimed:  # named as media, but its content is not
            self._fail(entry.rel, NOT_MEDIA)
        # an unknown extension whose content is no media: not a file of the library

    def _fail(self, rel, reason, *, present=True):
        # A file that is there but failed is not "missing": its location (if any) stays as it was.
        if present:
            self._seen.add(rel)
        self._failures.append(ScanFailure(job=self.job, relative_path=display(rel), reason=reason[:500]))
        self.progress.count("failed", rel)

    def flush(self):
        self._oldest = None
        if self._failures:
            ScanFailure.objects.bulk_create(self._failures)
            self._failures = []
        if self._batch:
            batch, self._batch = self._batch, []
            self._record(batch)

    # --- taken-in files -------------------------------------------------------------------------

    def _record(self, batch, owners=None):
        """Write ``batch``; ``owners`` maps a subtitle's path to ``(work id, video name)``."""
        for attempt in (1, 2, 3):
            try:
                with transaction.atomic():
                    added, updated, new_media = self._write(batch, owners or {})
                break
            except IntegrityError:  # another scan took in some of this content a moment ago
                if attempt == 3:
                    raise
        for entry, answer in batch:
            if answer["tag_error"]:
                logger.info("Tags of %r unreadable (%s); taken in by its name", display(entry.rel), answer["tag_error"])
            self._seen.add(entry.rel)
        for rel in added:
            self.progress.count("added", rel)
        for rel in updated:
            self.progress.count("updated", rel)
        for work, asset in new_media:
            self.added_work_ids.append(work.pk)
            events.media_added(work, asset, self.root)

    def _write(self, batch, owners):
        hashes = {answer["content_hash"] for _, answer in batch}
        assets = {asset.content_hash: asset for asset in Asset.objects.filter(content_hash__in=hashes)}
        first_of = {}
        for entry, answer in batch:
            if answer["content_hash"] not in assets:
                first_of.setdefault(answer["content_hash"], (entry, answer))
        new_media = self._new_assets({key: item for key, item in first_of.items() if item[0].rel not in owners}, assets)
        self._new_subtitles({key: item for key, item in first_of.items() if item[0].rel in owners}, owners, assets)
        now = timezone.now()
        created, changed = [], []
        for entry, answer in batch:
            fields = dict(
                asset=assets[answer["content_hash"]], size=answer["size"], mtime_ns=answer["mtime_ns"],
                **identity(answer["device"], answer["inode"]),
                missing_since=None, seen_at=now, relative_path=display(entry.rel),
                symlink=entry.symlink, utf8_path=_is_utf8(entry.rel),
            )
            known = self.known.get(entry.rel)
            if known is None:
                created.append(AssetLocation(root=self.root, raw_path=entry.rel, **fields))
            else:
                changed.append(AssetLocation(pk=known.id, **fields))
        AssetLocation.objects.bulk_create(created)
        AssetLocation.objects.bulk_update(changed, _LOCATION_FIELDS)
        return [location.raw_path for location in created], [entry.rel for entry, _ in batch if entry.rel in self.known], new_media

    def _new_assets(self, first_of, assets):
        """A work and an asset for each content not in the library yet; ``[(work, asset)]``."""
        if not first_of:
            return []
        claims = []
        for entry, answer in first_of.values():
            media_type = MediaType(answer["category"], answer["mime_type"])
            claims.append(works.file_claims(media_type, self.root.media_kind, display(entry.rel), answer["tags"]))
        new_works = create_works(claims, confidence=works.EMBEDDED_CONFIDENCE, claimed_by=works.CLAIMED_BY)
        new_assets = [
            Asset(work=work, content_hash=content_hash, size=answer["size"], mime_type=answer["mime_type"],
                  duration=answer["tags"].get("duration"), streams=answer["tags"].get("streams") or [],
                  artwork=_stored_artwork(entry, answer), artwork_problem=answer["artwork_problem"][:300],
                  koreader_digest=answer["koreader_digest"])
            for work, (content_hash, (entry, answer)) in zip(new_works, first_of.items())
        ]
        Asset.objects.bulk_create(new_assets)
        assets.update({asset.content_hash: asset for asset in new_assets})
        return list(zip(new_works, new_assets))

    def _new_subtitles(self, first_of, owners, assets):
        """An asset of its video's work for each subtitle content not in the library yet."""
        new_assets = [
            Asset(
                work_id=owners[entry.rel][0], role=AssetRole.SUBTITLE, content_hash=content_hash, size=answer["size"],
                mime_type=answer["mime_type"], streams=[sidecars.describe(os.path.basename(entry.rel), owners[entry.rel][1])],
            )
            for content_hash, (entry, answer) in first_of.items()
        ]
        Asset.objects.bulk_create(new_assets)
        assets.update({asset.content_hash: asset for asset in new_assets})

    def _subtitles_with_videos(self):
        """Write the subtitles met, each with the video beside it (taken in before, or by this scan).

        A subtitle whose video is there but not in the library (it failed) is a failure; one that
        no video's name owns is no file of the library, as an unknown extension is not.
        """
        subtitles, self._subtitles = sorted(self._subtitles, key=lambda item: item[0].rel), []
        if not subtitles:
            return
        folders = {os.path.dirname(entry.rel) for entry, _ in subtitles}
        present = AssetLocation.objects.filter(root=self.root, missing_since__isnull=True, asset__role=AssetRole.MEDIA)
        videos, names = {}, {}  # folder → {name: work id}; folder → names met or known there
        for raw, work_id in present.values_list("raw_path", "asset__work_id").iterator(2000):
            raw = bytes(raw)
            if os.path.dirname(raw) in folders:
                videos.setdefault(os.path.dirname(raw), {})[os.path.basename(raw)] = work_id
        for rel in self._met:
            if os.path.dirname(rel) in folders:
                names.setdefault(os.path.dirname(rel), set()).add(os.path.basename(rel))
        owners, batch = {}, []
        for entry, answer in subtitles:
            folder, name = os.path.dirname(entry.rel), os.path.basename(entry.rel)
            beside = videos.get(folder, {})
            video = sidecars.pair([*names.get(folder, ()), *beside]).get(name)
            if video is None:
                continue
            if video not in beside:
                self._fail(entry.rel, NO_VIDEO)
                continue
            owners[entry.rel] = (beside[video], video)
            batch.append((entry, answer))
        for start in range(0, len(batch), BATCH):
            self._record(batch[start:start + BATCH], owners)

    # --- the end of the walk ------------------------------------------------------------------

    def finish(self, unlisted):
        """Write what is left, note when unchanged files were seen, and mark missing the known
        files the walk did not meet (never those under a directory it could not list)."""
        self.flush()
        self._subtitles_with_videos()
        self.flush()
        now = timezone.now()
        present = [known.id for known in self._still_there if not known.missing]
        returned = [known.id for known in self._still_there if known.missing]
        for ids, update in ((present, {"seen_at": now}), (returned, {"seen_at": now, "missing_since": None})):
            for start in range(0, len(ids), UPDATE_CHUNK):
                AssetLocation.objects.filter(pk__in=ids[start:start + UPDATE_CHUNK]).update(**update)
        # Files unchanged since a scan that kept no identity: recorded once, without re-hashing.
        for pk, found in self._unidentified:
            AssetLocation.objects.filter(pk=pk).update(**found)
        self._unidentified = []
        gone = [
            known.id for rel, known in self.known.items()
            if rel not in self._seen and not any(rel.startswith(prefix) for prefix in unlisted)
        ]
        for start in range(0, len(gone), UPDATE_CHUNK):
            AssetLocation.objects.filter(pk__in=gone[start:start + UPDATE_CHUNK], missing_since__isnull=True).update(missing_since=now)
        self.job.missing = len(gone)


def _stored_artwork(entry, answer):
    """The stored :class:`~library.models.Artwork` of the picture a reader verified, or None."""
    if answer["artwork_problem"]:
        logger.info("No artwork for %r: %s", display(entry.rel), answer["artwork_problem"])
    if answer["artwork"] is None:
        return None
    return store_artwork(Picture(**answer["artwork"]))


def _is_utf8(raw):
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
