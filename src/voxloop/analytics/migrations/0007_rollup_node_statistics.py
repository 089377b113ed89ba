"""PostgreSQL: statistics on the rollups' (organization, node_path, facet) together.

The three columns are correlated (a node's facet rows), so estimated one by one the planner
guessed one node's rows at 5-10 times their number and chose a scan of the whole table for
a dashboard read of a few thousand rows (decision 0027). SQLite has no such statistics."""

from django.db import migrations

CREATE = (
    "CREATE STATISTICS IF NOT EXISTS rollup_node_facet (dependencies, mcv) "
    "ON organization_id, node_path, facet FROM analytics_rollup"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute("ANALYZE analytics_rollup")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS rollup_node_facet")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0006_staff_rows_by_week_and_month")]

    operations = [migrations.RunPython(create, drop, elidable=True)]
