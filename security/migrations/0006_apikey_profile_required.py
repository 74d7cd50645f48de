"""Every key has a profile now (``0005_apikey_profile``); from here on it must."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("security", "0005_apikey_profile")]

    operations = [
        migrations.AlterField(
            model_name="apikey",
            name="profile",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_keys", to="security.profile"),
        ),
    ]
