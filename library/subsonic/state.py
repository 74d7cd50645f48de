"""The caller's own state on what a response lists: starred, rating, plays, bookmark position.

One call per response, whatever it lists, so a page of 500 songs costs four small queries,
never one per song: the profile's stars, ratings and bookmarks are read whole (a person keeps
hundreds, not millions) and matched here, which measured cheaper than filtering by the page's
500 ids. The fields merge into the entities by id (songs by work id). Only the calling profile's
rows are read: another profile's stay unseen. (``library.state.selectors`` also drop rows whose
item is gone, which a listing of items that exist does not need.)
"""

from library.models.state import Bookmark, ItemKind, Play, Rating, Star


def profile_name(principal):
    """The name a music app shows for the account: the caller's profile."""
    return principal.profile.display_name


def state_for(call, *, artists=(), albums=(), works=()):
    """``{id: {field: value}}`` for the listed artists, albums and works."""
    if not (artists or albums or works):
        return {}
    profile = call.principal.profile
    state = {}
    wanted = {
        ItemKind.ARTIST: {artist.id for artist in artists},
        ItemKind.ALBUM: {album.id for album in albums},
        ItemKind.WORK: {str(work.pk) for work in works},
    }

    def put(kind, item_id, field, value):
        if item_id in wanted.get(kind, ()):
            state.setdefault(int(item_id) if kind == ItemKind.WORK else item_id, {})[field] = value

    for kind, item_id, starred_at in Star.objects.filter(profile=profile).values_list("kind", "item_id", "starred_at"):
        put(kind, item_id, "starred", starred_at)
    for kind, item_id, rating in Rating.objects.filter(profile=profile).values_list("kind", "item_id", "rating"):
        put(kind, item_id, "userRating", rating)
    _plays(profile, works, albums, state)
    if works:
        for work_id, position in Bookmark.objects.filter(profile=profile).values_list("asset__work_id", "position_ms"):
            put(ItemKind.WORK, str(work_id), "bookmarkPosition", position)
    return state


def _plays(profile, works, albums, state):
    """Play counts and last plays of songs, and of albums as the sum and latest of their songs'."""
    if not (works or albums):
        return
    plays = Play.objects.filter(profile=profile)
    if not albums:
        plays = plays.filter(work_id__in=[work.pk for work in works])
    counted = {work_id: (count, last) for work_id, count, last in plays.values_list("work_id", "play_count", "last_played_at")}
    for work in works:
        if work.pk in counted:
            count, last = counted[work.pk]
            state.setdefault(work.pk, {}).update(playCount=count, played=last)
    for album in albums:
        found = [counted[work_id] for work_id in album.work_ids if work_id in counted]
        if found:
            state.setdefault(album.id, {}).update(playCount=sum(count for count, _ in found), played=max(last for _, last in found))
