"""Profiles move from the library app to the security app, table, rows and ids unchanged.

Only Django's model state moves (the table keeps its name, ``library_profile``); the library's
``0003_profile_moves_to_security`` removes the model from its own state. The content type is
renamed rather than made anew, so the admin's history and permissions stay attached.
"""

import django.utils.timezone
from django.db import migrations, models


def adopt_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="security", model="profile").exists():
        ContentType.objects.filter(app_label="library", model="profile").update(app_label="security")


def return_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="library", model="profile").exists():
        ContentType.objects.filter(app_label="security", model="profile").update(app_label="library")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("library", "0002_seed_owner"),
        ("security", "0002_providersecret"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Profile",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("display_name", models.CharField(max_length=50)),
                        ("role", models.CharField(choices=[("Administrator", "Administrator"), ("Curator", "Curator"), ("Consumer", "Consumer")], default="Consumer", max_length=16)),
                        ("avatar_color", models.CharField(default="#3b82f6", max_length=7)),
                        ("is_owner", models.BooleanField(default=False, editable=False)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                    ],
                    options={
                        "db_table": "library_profile",
                        "ordering": ["id"],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("is_owner", True)), fields=("is_owner",), name="single_owner_profile")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(adopt_content_type, return_content_type),
    ]
