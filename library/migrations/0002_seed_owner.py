"""The Owner profile exists from the first migration on, so an engine is never without one."""

from django.db import migrations

OWNER_NAME = "Owner"


def create_owner(apps, schema_editor):
    Profile = apps.get_model("library", "Profile")
    if not Profile.objects.filter(is_owner=True).exists():
        Profile.objects.create(display_name=OWNER_NAME, role="Administrator", is_owner=True, avatar_color="#3b82f6")


def remove_owner(apps, schema_editor):
    apps.get_model("library", "Profile").objects.filter(is_owner=True).delete()


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = [migrations.RunPython(create_owner, remove_owner)]
