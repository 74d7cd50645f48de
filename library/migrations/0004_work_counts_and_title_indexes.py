"""Works counted per kind by triggers, and the indexes the first page of a list is read from."""

from django.db import migrations, models


def count_and_keep_counting(apps, schema_editor):
    from library import work_counts

    work_counts.install(schema_editor.connection, apps.get_model("library", "Work"), apps.get_model("library", "WorkCount"))


def stop_counting(apps, schema_editor):
    from library import work_counts

    work_counts.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0003_profile_moves_to_security"),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkCount",
            fields=[
                ("kind", models.CharField(max_length=16, primary_key=True, serialize=False)),
                ("works", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="work",
            index=models.Index(fields=["title", "id"], name="work_title_id"),
        ),
        migrations.AddIndex(
            model_name="work",
            index=models.Index(fields=["kind", "title", "id"], name="work_kind_title_id"),
        ),
        migrations.RunPython(count_and_keep_counting, stop_counting),
    ]
