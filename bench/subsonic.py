"""OpenSubsonic pages against the REST works list, on a library of 10,000 songs.

The baseline is ``GET /library/works?page_size=500``, measured in the same run through the same
ASGI application with the same Consumer key. Measured against it: ``getAlbumList2?size=500``
(500 of the 1,000 derived albums, each grouped from the works), a ``search3`` sync page (an empty
query, 500 songs: how apps copy a library), a ``search3`` text search with the default counts,
and ``getAlbum``. Goal: each at most 1.5x the baseline, in JSON (what the clients ask for).

The library is made with bulk inserts rather than a scan of 10,000 files (the scan has its own
benchmark): works with the canonical values and catalog keys a scan would leave, one asset each.
"""

import asyncio

from bench.support import interleaved, report, setup_django

SONGS = 10_000
ALBUMS = 1_000
ARTISTS = 200
ROUNDS = 9
GOAL = 1.5


def make_library():
    from django.utils import timezone

    from library.catalog import keys_of
    from library.models import Asset, Work, WorkKind
    from library.search import search_text

    now = timezone.now()
    works = []
    for number in range(SONGS):
        album, track = divmod(number, SONGS // ALBUMS)
        artist = f"Artist {album % ARTISTS:03d}"
        work = Work(
            kind=WorkKind.MUSIC, title=f"Song {number:05d}", artist=artist, album=f"Album {album:04d}",
            year=1960 + album % 60, created_at=now, updated_at=now,
            metadata={"track": str(track + 1), "disc": "1", "genre": ("Rock", "Pop", "Jazz", "Folk")[album % 4], "album_artist": artist},
        )
        work.search_text = search_text(work)
        work.artist_key, work.album_key = keys_of(work)
        works.append(work)
    Work.objects.bulk_create(works, batch_size=1000)
    ids = Work.objects.order_by("id").values_list("id", flat=True)
    Asset.objects.bulk_create(
        [Asset(work_id=work_id, content_hash=f"{work_id:064x}", size=4_000_000, mime_type="audio/mpeg", duration=240.0) for work_id in ids],
        batch_size=1000,
    )


def main():
    setup_django()
    from django.conf import settings
    from django.core.handlers.asgi import ASGIHandler
    from django.test import override_settings

    from library.subsonic import catalog
    from security import services
    from security.audit import Actor

    make_library()
    _, key = services.create_key(label="bench", role="Consumer", actor=Actor("bench"))
    limits = {**settings.MEDIA_ENGINE, "RATE_GENERAL": "100000000/m"}
    with override_settings(MEDIA_ENGINE=limits):
        app = ASGIHandler()

        def fetch(path, params):
            async def one():
                import httpx

                transport = httpx.ASGITransport(app=app, client=("203.0.113.1", 4000))
                async with httpx.AsyncClient(transport=transport, base_url="http://localhost", timeout=60) as client:
                    response = await client.get(path, params=params, headers={"X-Api-Key": key})
                    assert response.status_code == 200, response.text[:300]
                    return response

            return asyncio.run(one())

        album = catalog.album_id("Artist 007", "Album 0007")
        calls = {
            "works": ("/library/works", {"page_size": 500}),
            "getAlbumList2": ("/rest/getAlbumList2", {"f": "json", "type": "alphabeticalByName", "size": 500}),
            "search3 sync page": ("/rest/search3", {"f": "json", "query": "", "songCount": 500, "albumCount": 0, "artistCount": 0}),
            "search3 text": ("/rest/search3", {"f": "json", "query": "song 0042"}),
            "getAlbum": ("/rest/getAlbum", {"f": "json", "id": album}),
        }
        assert len(fetch(*calls["works"]).json()["results"]) == 500
        assert len(fetch(*calls["getAlbumList2"]).json()["subsonic-response"]["albumList2"]["album"]) == 500
        assert len(fetch(*calls["search3 sync page"]).json()["subsonic-response"]["searchResult3"]["song"]) == 500
        assert len(fetch(*calls["getAlbum"]).json()["subsonic-response"]["album"]["song"]) == 10
        timings = interleaved(ROUNDS, **{name: (lambda call=call: fetch(*call)) for name, call in calls.items()})
    baseline = timings.pop("works")
    report("GET /library/works?page_size=500 (baseline)", baseline * 1000, " ms")
    for name, seconds in timings.items():
        report(f"{name}: ratio to the baseline", seconds / baseline, "x", goal=f"<= {GOAL}x")
        report(f"{name}", seconds * 1000, " ms")
