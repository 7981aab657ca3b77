"""PostgreSQL: a region-path prefix (`LIKE '/1/4/%'`) can use a btree index only with the
pattern operator class; the scoped community/street lists filter by status and region prefix
and sort by time. SQLite (the embedded default) needs nothing: it is left alone."""

from django.db import migrations

INDEX = "wo_order_status_regionpath_like"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON workorders_workorder "
        "(status, region_path varchar_pattern_ops, reported_at DESC, id DESC)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("workorders", "0002_kpi_weights_and_stats")]
    operations = [migrations.RunPython(create, drop)]
