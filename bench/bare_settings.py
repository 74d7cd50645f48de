"""The Django baseline of the throughput benchmark: one plain view listing the same works as
``GET /library/works`` with one SQL query, on the engine's own SQLite file, with no middleware,
no DRF and no installed app. Whatever the engine costs above this is the engine's own doing."""

import os
from pathlib import Path

from django.db import connection
from django.http import JsonResponse
from django.urls import path

DEBUG = False
SECRET_KEY = "bench-only-not-a-secret"
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = []
MIDDLEWARE = []
ROOT_URLCONF = "bench.bare_settings"
USE_TZ = True
DATABASES = {
    "default": {
        # The same database and connection options as engine/settings.py's embedded default.
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(os.environ["MEDIA_ENGINE_DATA_DIR"]) / "engine.sqlite3",
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }
}

PAGE = 50
QUERY = """
    SELECT w.id, w.title, w.kind, w.year, w.artist, w.album, w.author, w.series, w.metadata,
           a.id, a.mime_type, a.size, a.duration
    FROM (SELECT * FROM library_work ORDER BY id LIMIT %s) AS w
    LEFT JOIN library_asset AS a ON a.work_id = w.id
    ORDER BY w.id, a.id
"""


def works(request):
    listed = {}
    with connection.cursor() as cursor:
        cursor.execute(QUERY, [PAGE])
        for wid, title, kind, year, artist, album, author, series, metadata, aid, mime, size, duration in cursor.fetchall():
            work = listed.setdefault(wid, {
                "id": wid, "title": title, "kind": kind, "year": year, "artist": artist, "album": album,
                "author": author, "series": series, "metadata": metadata, "assets": [],
            })
            if aid is not None:
                work["assets"].append({"id": aid, "mime_type": mime, "size": size, "duration": duration})
    return JsonResponse({"count": len(listed), "results": list(listed.values())})


urlpatterns = [path("works", works)]
