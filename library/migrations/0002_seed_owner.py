"""Once the seed Owner profile; profiles now belong to the security app, whose migration
``0004_seed_owner`` creates the Owner. Kept, empty, because existing databases recorded it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("library", "0001_initial")]

    operations = []
