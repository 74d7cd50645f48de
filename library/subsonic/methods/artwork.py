"""``getCoverArt``: the cover of a song, an album or an artist, at the size asked.

The picture, its thumbnails and the answer (ETag, If-None-Match, Cache-Control) are the
library's artwork (:mod:`library.artwork`), the same as ``/library/works/{id}/artwork``; an album
or an artist shows the cover of its first song that has one.
"""

from library.artwork import renditions, selectors
from library.artwork.responses import artwork_response
from library.subsonic import catalog
from library.subsonic.errors import not_found
from library.subsonic.registry import method


def _artwork(cover_id):
    if cover_id.startswith(catalog.ALBUM_PREFIX):
        return selectors.artwork_of_album(cover_id)
    if cover_id.startswith(catalog.ARTIST_PREFIX):
        return selectors.artwork_of_artist(cover_id)
    work_id = catalog.parse_song_id(cover_id)
    if work_id is None:
        raise not_found("No such cover art.")
    return selectors.artwork_of_work(work_id)


@method("getCoverArt")
def get_cover_art(call):
    """``size`` larger than the engine makes is the largest it makes (apps ask for screen sizes)."""
    size = call.params.integer("size", minimum=1, maximum=2**31)
    artwork = _artwork(call.params.text("id", required=True))
    return artwork_response(call.request, artwork, min(size, renditions.MAX_SIZE) if size else None)
