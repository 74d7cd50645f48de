"""Profiles now belong to the security app (``security/migrations/0003_profile``): the model
leaves the library's state; its table and rows stay where they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_seed_owner"),
        ("security", "0003_profile"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Profile")], database_operations=[]),
    ]
