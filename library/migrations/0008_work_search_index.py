"""The index behind ``?q=`` (``library.search_index``): FTS5 on SQLite, pg_trgm on PostgreSQL."""

from django.db import migrations


def install(apps, schema_editor):
    from library import search_index

    search_index.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from library import search_index

    search_index.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ("library", "0007_location_primary_order"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
