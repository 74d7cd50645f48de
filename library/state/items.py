"""What stars and ratings name: a work by its id, an album or artist by its derived id."""

from engine.errors import BadInput, NotFound
from library.catalog import ALBUM_ID, ARTIST_ID
from library.models import Work
from library.models.state import ItemKind

_MAX_WORK_ID_DIGITS = 18
_DERIVED = {ItemKind.ALBUM: (ALBUM_ID, "album_key"), ItemKind.ARTIST: (ARTIST_ID, "artist_key")}


def checked_kind(kind):
    """``kind`` as an :class:`ItemKind`, or :class:`BadInput`."""
    if kind not in ItemKind.values:
        raise BadInput(f"Unknown kind {str(kind)[:20]!r}; use work, album or artist.", "invalid_kind")
    return ItemKind(kind)


def existing_item(kind, item_id):
    """``(kind, item id)`` in stored form for an item that exists now, else :class:`NotFound`.

    Stars and ratings are made only for what the library holds, so a client cannot fill the
    database with ids of nothing; they may outlive it (an album renamed, a work removed), and
    the selectors leave such rows out.
    """
    kind = checked_kind(kind)
    item_id = str(item_id)
    if kind == ItemKind.WORK:
        if (item_id.isascii() and item_id.isdigit()) and len(item_id) <= _MAX_WORK_ID_DIGITS and Work.objects.filter(pk=int(item_id)).exists():
            return kind, str(int(item_id))
    else:
        pattern, column = _DERIVED[kind]
        if pattern.fullmatch(item_id) and Work.objects.filter(**{column: item_id}).exists():
            return kind, item_id
    raise NotFound(f"No {kind.value} with id {item_id[:40]!r}.", "item_not_found")


def existing_work_ids(work_ids, *, limit):
    """``work_ids`` as ints, in order, when each names a work and there are at most ``limit``;
    else :class:`BadInput` / :class:`NotFound`, checked before anything is written."""
    work_ids = list(work_ids)
    if len(work_ids) > limit:
        raise BadInput(f"At most {limit} entries.", "too_many_entries")
    try:
        wanted = [_work_id(work_id) for work_id in work_ids]
    except ValueError:
        raise BadInput("Entries are work ids.", "invalid_entries") from None
    found = set(Work.objects.filter(pk__in=set(wanted)).values_list("pk", flat=True))
    missing = [work_id for work_id in wanted if work_id not in found]
    if missing:
        raise NotFound(f"No work with id {missing[0]}.", "work_not_found")
    return wanted


def _work_id(value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError(value)
    text = str(value)
    if not (text.isascii() and text.isdigit()) or len(text) > _MAX_WORK_ID_DIGITS:
        raise ValueError(value)
    return int(text)
