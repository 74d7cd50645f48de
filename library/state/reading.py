"""Reading progress: where a profile is in a work, one place per profile and work.

The REST API (``/library/works/{id}/progress``) and KOReader's progress sync (``/kosync/``) both
write here, so a book read on the e-reader opens at the same page on the phone.
"""

import math

from django.utils import timezone

from engine.errors import BadInput, NotFound
from library.models import Work
from library.models.state import ReadingProgress

MAX_POSITION = 2000
MAX_DEVICE = 100
#: A KOReader document id: an MD5 in hex (its partial MD5 of the file, or of the file name).
DOCUMENT_LENGTH = 32


def _text(value, field, limit):
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"{field} must be text.", f"invalid_{field}")
    if len(value) > limit or any(ord(char) < 32 for char in value):
        raise BadInput(f"{field} must be at most {limit} printable characters.", f"invalid_{field}")
    return value


def checked_percentage(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
        raise BadInput("percentage is a number from 0 to 1.", "invalid_percentage")
    return float(value)


def save_progress(profile, work, *, percentage, position="", device="", device_id="", document=""):
    """Record where ``profile`` is in ``work``; checked before anything is written."""
    values = {
        "percentage": checked_percentage(percentage),
        "position": _text(position, "position", MAX_POSITION),
        "device": _text(device, "device", MAX_DEVICE),
        "device_id": _text(device_id, "device_id", MAX_DEVICE),
        "document": document,
        "changed_at": timezone.now(),
    }
    progress, _ = ReadingProgress.objects.update_or_create(profile=profile, work=work, defaults=values)
    return progress


def clear_progress(profile, work):
    """True when there was progress to forget."""
    deleted, _ = ReadingProgress.objects.filter(profile=profile, work=work).delete()
    return deleted > 0


def works_of_document(document):
    """The works whose files KOReader names ``document``; :class:`NotFound` for none, so a sync
    cannot fill the database with documents the library does not hold."""
    document = document.lower() if isinstance(document, str) else document
    if not isinstance(document, str) or len(document) != DOCUMENT_LENGTH or any(char not in "0123456789abcdef" for char in document):
        raise BadInput("document is KOReader's partial MD5 of the file: 32 hexadecimal digits.", "invalid_document")
    works = list(Work.objects.filter(assets__koreader_digest=document).distinct().order_by("id"))
    if not works:
        raise NotFound("No file in the library has this document's fingerprint.", "document_not_found")
    return works


def save_document_progress(profile, document, **values):
    """Progress of every work whose file is ``document`` (one, unless two files share their
    sampled bytes); returns the records."""
    works = works_of_document(document)
    return [save_progress(profile, work, document=document.lower(), **values) for work in works]
