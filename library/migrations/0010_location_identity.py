"""Where a location's file is: the identity of the file its scan took in (streaming checks it)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0009_scan_progress_and_scope"),
    ]

    operations = [
        migrations.AddField(
            model_name="assetlocation",
            name="device",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="assetlocation",
            name="inode",
            field=models.BigIntegerField(blank=True, null=True),
        ),
    ]
