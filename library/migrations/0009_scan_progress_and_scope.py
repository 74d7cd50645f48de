"""Scan jobs count what the walk found (``total``) and how often they started (``attempts``), and
may be limited to some paths (``paths``, from watching) with their ``trigger``."""

from django.db import migrations, models


def scans_that_ran_started_once(apps, schema_editor):
    apps.get_model("library", "ScanJob").objects.filter(started_at__isnull=False).update(attempts=1)


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0008_work_search_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='scanjob',
            name='attempts',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='scanjob',
            name='paths',
            field=models.BinaryField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='scanjob',
            name='total',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='scanjob',
            name='trigger',
            field=models.CharField(choices=[('manual', 'Manual'), ('watch', 'Watch'), ('schedule', 'Schedule')], default='manual', max_length=16),
        ),
        migrations.RunPython(scans_that_ran_started_once, migrations.RunPython.noop),
    ]
