"""Grow a library to a given number of works, each with one asset, for the growth check of
bench/throughput.py. Run inside the engine's process environment (``manage.py shell``)."""

from django.db import transaction

from library.models import Asset, Work

BATCH = 5000


def grow(total):
    """Add works (and their assets) until the library holds ``total`` works."""
    have = Work.objects.count()
    while have < total:
        count = min(BATCH, total - have)
        with transaction.atomic():
            works = Work.objects.bulk_create(
                Work(kind="music", title=f"Track {number}", artist=f"Artist {number % 997}",
                     album=f"Album {number // 12}", year=1950 + number % 75, search_text=f"track {number}")
                for number in range(have, have + count)
            )
            Asset.objects.bulk_create(
                Asset(work=work, content_hash=f"{work.pk:064x}", size=4_000_000 + work.pk, mime_type="audio/mpeg",
                      duration=200.0)
                for work in works
            )
        have += count
    return have
