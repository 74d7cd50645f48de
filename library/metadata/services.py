"""Writes about metadata: recording claims and resolving them into a work's canonical values.

Every entry point — the lock-claim and resolve endpoints, the scanner, provider look-ups —
goes through these functions, so the canonical columns, ``Work.metadata`` and ``search_text``
are written in one place, by :func:`resolve_work`, from the rule in ``resolution.py``.
"""

from django.db import transaction
from django.utils import timezone

from library.catalog import keys_of
from library.metadata.fields import COLUMN_FIELDS, InvalidClaim, column_value, normalise
from library.metadata.resolution import LOCKABLE_SOURCES, USER_SOURCE, ClaimRecord, canonical_values
from library.metadata.selectors import source_weights
from library.search import search_text
from library.models import Claim, Work
from security.audit import record


def record_claims(work, values, *, source, confidence=1.0, claimed_by="", locked=False):
    """Append one claim per ``{field: value}``; return the claims made.

    A value the same source already claims most recently for that field is not repeated, so a
    look-up run twice leaves one claim. Only ``user`` claims can be locked: a file's tags or a
    provider's answer cannot pin a value. Raises :class:`InvalidClaim` before writing anything.
    """
    if locked and source not in LOCKABLE_SOURCES:
        raise InvalidClaim(f"Claims from {source!r} cannot be locked.", "not_lockable")
    confidence = min(max(float(confidence), 0.0), 1.0)
    normalised = {field: normalise(field, value) for field, value in values.items()}
    made = []
    now = timezone.now()
    for field, value in normalised.items():
        if not locked:
            latest = (
                Claim.objects.filter(work=work, field=field, source=source, locked=False)
                .order_by("-claimed_at", "-id").values_list("value", "confidence").first()
            )
            if latest == (value, confidence):
                continue
        made.append(Claim(
            work=work, field=field, value=value, source=source, confidence=confidence,
            locked=locked, claimed_by=claimed_by[:200], claimed_at=now,
        ))
    return Claim.objects.bulk_create(made)


def lock_claim(work, field, value, *, principal, actor):
    """A locked ``user`` claim that wins resolution, the work re-resolved for that field, and the
    audit record, from ``actor`` (who and from where)."""
    with transaction.atomic():
        (claim,) = Claim.objects.bulk_create([Claim(
            work=work, field=field, value=normalise(field, value), source=USER_SOURCE, confidence=1.0,
            locked=True, claimed_by=principal.describe()[:200], claimer_role=str(principal.role), claimed_at=timezone.now(),
        )])
        resolve_work(work, fields=[field])
        record("metadata.locked", actor, f"work {work.pk}: {field} = {claim.value!r}")
    return claim


def resolve_requested(work, *, fields=None, actor):
    """:func:`resolve_work` asked for by someone (``POST /metadata/resolve``), audited."""
    with transaction.atomic():
        changed = resolve_work(work, fields=fields)
        record("metadata.resolved", actor, f"work {work.pk}: {', '.join(fields) if fields else 'every field'}")
    return changed


def resolve_work(work, fields=None, weights=None):
    """Recompute ``work``'s canonical values from its claims and save them; return what changed.

    ``fields`` limits the work to some fields (default: every field that has claims); a caller
    resolving many works (a scan) may pass the ``weights`` of ``source_weights()`` once. Fields
    without any claim are left as they are; a field whose claims all weigh nothing is cleared.
    Returns ``{field: new_value}`` for the values that changed.
    """
    with transaction.atomic():
        work = Work.objects.select_for_update().get(pk=work.pk)
        claims = Claim.objects.filter(work=work)
        if fields is not None:
            claims = claims.filter(field__in=list(fields))
        resolved = canonical_values([ClaimRecord.of(claim) for claim in claims], weights or source_weights())
        changed = _apply(work, resolved)
        if changed:
            work.updated_at = timezone.now()
            work.save(update_fields=[*COLUMN_FIELDS, "metadata", "search_text", "artist_key", "album_key", "updated_at"])
    return changed


def create_works(new_works, *, confidence, claimed_by, weights=None):
    """New works, each with one unlocked claim per value it states, resolved by the same rule
    as :func:`resolve_work` before they are written: ``new_works`` is
    ``[(kind, {source: {field: value}})]`` (a file's tags and what its name says, say).

    For the scanner, which takes in thousands of files: the works and their claims are written
    in two statements, not a resolve per work. A value a field cannot hold is left out.
    """
    weights = weights or source_weights()
    now = timezone.now()
    confidence = min(max(float(confidence), 0.0), 1.0)
    works, claims = [], []
    for kind, by_source in new_works:
        stated = []
        for source, values in by_source.items():
            for field, value in values.items():
                try:
                    stated.append(Claim(
                        field=field, value=normalise(field, value), source=source, confidence=confidence,
                        locked=False, claimed_by=claimed_by[:200], claimed_at=now,
                    ))
                except InvalidClaim:
                    continue
        work = Work(kind=kind, created_at=now, updated_at=now)
        _apply(work, canonical_values([ClaimRecord.of(claim) for claim in stated], weights))
        works.append(work)
        claims.append(stated)
    Work.objects.bulk_create(works)
    for work, stated in zip(works, claims):
        for claim in stated:
            claim.work = work
    Claim.objects.bulk_create([claim for stated in claims for claim in stated])
    return works


def _apply(work, resolved):
    """Set ``work``'s canonical columns, metadata and search text from ``resolved``; return what
    changed. The one place canonical values are written."""
    changed = {}
    metadata = dict(work.metadata or {})
    for field, value in resolved.items():
        if field in COLUMN_FIELDS:
            new = column_value(field, value)
            if getattr(work, field) != new:
                setattr(work, field, new)
                changed[field] = new
        elif value is None:
            if metadata.pop(field, None) is not None:
                changed[field] = None
        elif metadata.get(field) != value:
            metadata[field] = value
            changed[field] = value
    if changed:
        work.metadata = metadata
        work.search_text = search_text(work)
        work.artist_key, work.album_key = keys_of(work)
    return changed


def canonical_view(work):
    """The work's canonical values as the API shows them after a resolve."""
    values = {field: getattr(work, field) for field in COLUMN_FIELDS}
    values.update(work.metadata or {})
    return values
