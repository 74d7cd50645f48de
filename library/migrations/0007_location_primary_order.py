import os

from django.db import migrations, models


def describe_existing_locations(apps, schema_editor):
    """Locations scanned before these fields: the name's encoding from the stored bytes, and
    whether a link is there now (a root not mounted reads as no link)."""
    AssetLocation = apps.get_model("library", "AssetLocation")
    for location in AssetLocation.objects.select_related("root").iterator(chunk_size=2000):
        raw = bytes(location.raw_path)
        try:
            raw.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            utf8 = False
        symlink = os.path.islink(os.path.join(os.fsencode(location.root.path), raw))
        if (utf8, symlink) != (True, False):
            AssetLocation.objects.filter(pk=location.pk).update(utf8_path=utf8, symlink=symlink)


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0006_asset_role"),
    ]

    operations = [
        migrations.AddField(
            model_name="assetlocation",
            name="symlink",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="assetlocation",
            name="utf8_path",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(describe_existing_locations, migrations.RunPython.noop),
    ]
