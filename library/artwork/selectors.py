"""Which artwork a work (or an album, or an artist) shows: the first of its files that has one."""

from engine.errors import NotFound
from library.models import Artwork, Work


def artwork_of_work(work_id):
    """The work's artwork, or :class:`NotFound` for an unknown work or one without artwork."""
    if not Work.objects.filter(pk=work_id).exists():
        raise NotFound(f"No work with id {work_id}.", "not_found")
    artwork = Artwork.objects.filter(assets__work_id=work_id).order_by("assets__id").first()
    if artwork is None:
        raise NotFound("This work has no artwork.", "no_artwork")
    return artwork


def artwork_of_album(album_key):
    """The artwork of an album (``library.catalog``): that of its first work that has one."""
    return _first(Artwork.objects.filter(assets__work__album_key=album_key), "album")


def artwork_of_artist(artist_key):
    return _first(Artwork.objects.filter(assets__work__artist_key=artist_key), "artist")


def _first(queryset, what):
    artwork = queryset.order_by("assets__work_id", "assets__id").first()
    if artwork is None:
        raise NotFound(f"This {what} has no artwork.", "no_artwork")
    return artwork
