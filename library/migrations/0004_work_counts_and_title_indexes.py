"""Works counted per kind by triggers, and the indexes the first page of a list is read from."""

from django.db import migrations, models

SQLITE = [
    """CREATE TRIGGER library_work_counted AFTER INSERT ON library_work BEGIN
        INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET works = works + 1;
    END""",
    """CREATE TRIGGER library_work_uncounted AFTER DELETE ON library_work BEGIN
        UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
    END""",
    """CREATE TRIGGER library_work_recounted AFTER UPDATE OF kind ON library_work
    WHEN OLD.kind IS NOT NEW.kind BEGIN
        UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
        INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
        ON CONFLICT (kind) DO UPDATE SET works = works + 1;
    END""",
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS {name}" for name in ("library_work_counted", "library_work_uncounted", "library_work_recounted")
]

POSTGRESQL = [
    """CREATE FUNCTION library_work_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE library_workcount SET works = works - 1 WHERE kind = OLD.kind;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            INSERT INTO library_workcount (kind, works) VALUES (NEW.kind, 1)
            ON CONFLICT (kind) DO UPDATE SET works = library_workcount.works + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER library_work_counted AFTER INSERT OR DELETE ON library_work
    FOR EACH ROW EXECUTE FUNCTION library_work_count()""",
    """CREATE TRIGGER library_work_recounted AFTER UPDATE OF kind ON library_work
    FOR EACH ROW WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION library_work_count()""",
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS library_work_counted ON library_work",
    "DROP TRIGGER IF EXISTS library_work_recounted ON library_work",
    "DROP FUNCTION IF EXISTS library_work_count()",
]

TRIGGERS = {"sqlite": (SQLITE, SQLITE_REVERSE), "postgresql": (POSTGRESQL, POSTGRESQL_REVERSE)}


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement)


def count_and_keep_counting(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in TRIGGERS:
        raise RuntimeError(f"No work-count triggers for the {vendor} database.")
    Work, WorkCount = apps.get_model("library", "Work"), apps.get_model("library", "WorkCount")
    # The triggers go in first, in the migration's transaction, so no work is counted twice or missed.
    _run(schema_editor, TRIGGERS[vendor][0])
    WorkCount.objects.all().delete()
    counted = Work.objects.values("kind").annotate(works=models.Count("id")).order_by("kind")
    WorkCount.objects.bulk_create(WorkCount(kind=row["kind"], works=row["works"]) for row in counted)


def stop_counting(apps, schema_editor):
    _run(schema_editor, TRIGGERS.get(schema_editor.connection.vendor, ((), ()))[1])


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
