"""Works carry the ids of their artist and album (``library.catalog``); existing works get theirs
from their canonical values, by the same rule resolution applies from now on."""

from django.db import migrations, models

from library.catalog import keys

CHUNK = 500


def derive_keys(apps, schema_editor):
    Work = apps.get_model("library", "Work")
    batch = []
    for work in Work.objects.filter(kind__in=["music", "audiobook"]).iterator(chunk_size=CHUNK):
        work.artist_key, work.album_key = keys(
            kind=work.kind, title=work.title, artist=work.artist, album=work.album, author=work.author,
            album_artist=str((work.metadata or {}).get("album_artist") or ""),
        )
        batch.append(work)
        if len(batch) >= CHUNK:
            Work.objects.bulk_update(batch, ["artist_key", "album_key"])
            batch = []
    if batch:
        Work.objects.bulk_update(batch, ["artist_key", "album_key"])


class Migration(migrations.Migration):
    dependencies = [("library", "0011_claim_claimer_role")]

    operations = [
        migrations.AddField(
            model_name="work",
            name="album_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=19),
        ),
        migrations.AddField(
            model_name="work",
            name="artist_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=19),
        ),
        migrations.RunPython(derive_keys, migrations.RunPython.noop),
    ]
