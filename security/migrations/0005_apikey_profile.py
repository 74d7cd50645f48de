"""Every API key belongs to a profile; keys made before belong to the Owner.

The column is added nullable and filled with the Owner (made first where an engine lost it, by
the rule of ``0004_seed_owner``); ``0006_apikey_profile_required`` then makes it required. Two
migrations, two transactions: PostgreSQL refuses to alter a table whose rows the same
transaction has just pointed at another (pending foreign-key trigger events).
"""

import django.db.models.deletion
from django.db import migrations, models

OWNER_NAME = "Owner"


def keys_to_the_owner(apps, schema_editor):
    Profile = apps.get_model("security", "Profile")
    ApiKey = apps.get_model("security", "ApiKey")
    if not ApiKey.objects.filter(profile__isnull=True).exists():
        return
    owner = Profile.objects.filter(is_owner=True).first()
    if owner is None:
        owner = Profile.objects.create(display_name=OWNER_NAME, role="Administrator", is_owner=True, avatar_color="#3b82f6")
    ApiKey.objects.filter(profile__isnull=True).update(profile=owner)


class Migration(migrations.Migration):
    dependencies = [("security", "0004_seed_owner")]

    operations = [
        migrations.AddField(
            model_name="apikey",
            name="profile",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.CASCADE, related_name="api_keys", to="security.profile"
            ),
        ),
        migrations.RunPython(keys_to_the_owner, migrations.RunPython.noop),
    ]
