"""The Owner profile exists from the first migrations on, so an engine is never without one.

A database that already has an Owner (every database migrated before profiles moved here)
keeps it; the seed is made only where none exists.
"""

from django.db import migrations

OWNER_NAME = "Owner"


def create_owner(apps, schema_editor):
    Profile = apps.get_model("security", "Profile")
    if not Profile.objects.filter(is_owner=True).exists():
        Profile.objects.create(display_name=OWNER_NAME, role="Administrator", is_owner=True, avatar_color="#3b82f6")


def remove_owner(apps, schema_editor):
    apps.get_model("security", "Profile").objects.filter(is_owner=True).delete()


class Migration(migrations.Migration):
    dependencies = [("security", "0003_profile")]

    operations = [migrations.RunPython(create_owner, remove_owner)]
