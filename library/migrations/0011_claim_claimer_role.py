"""Claims keep the role of the person who made them, which is what non-Administrators see.

Earlier ``user`` claims name their maker as ``localhost`` or ``key mek_<id> (<label>)``: the
localhost bypass is the Administrator, and a key's role is looked up by its public id.
"""

import re

from django.db import migrations, models

KEY_CLAIMER = re.compile(r"^key mek_([0-9a-f]{12}) ")


def fill_roles(apps, schema_editor):
    Claim = apps.get_model("library", "Claim")
    ApiKey = apps.get_model("security", "ApiKey")
    Claim.objects.filter(source="user", claimed_by="localhost").update(claimer_role="Administrator")
    roles = dict(ApiKey.objects.values_list("key_id", "role"))
    for claim in Claim.objects.filter(source="user", claimer_role="").exclude(claimed_by="localhost"):
        match = KEY_CLAIMER.match(claim.claimed_by)
        if match and match.group(1) in roles:
            Claim.objects.filter(pk=claim.pk).update(claimer_role=roles[match.group(1)])


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0010_location_identity"),
        ("security", "0004_seed_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="claimer_role",
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.RunPython(fill_roles, migrations.RunPython.noop),
    ]
