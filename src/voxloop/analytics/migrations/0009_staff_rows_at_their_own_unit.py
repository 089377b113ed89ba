"""Staff-member rollups kept at the response's own unit only (decision 0051).

Until now each staff row was repeated at every ancestor of the response's unit. The rows are
made again from the ledger (`analytics_counted`, which holds what every response counts,
archived ones included), grouped at the ledger row's own unit: exactly the rows
`counting._keys` writes from now on. Reversing makes the rows at every ancestor again.
"""

from django.db import migrations

W = 10  # tenancy.models.PATH_SEGMENT_WIDTH when this was written
STAFF_FACETS = ("staff", "staff_w", "staff_m")
STARTS = {
    "postgresql": {
        "staff": "day",
        "staff_w": "date_trunc('week', day)::date",
        "staff_m": "date_trunc('month', day)::date",
    },
    "sqlite": {
        "staff": "day",
        "staff_w": "date(day, 'weekday 0', '-6 days')",
        "staff_m": "date(day, 'start of month')",
    },
}
# What one ledger row adds to each counter (metrics.Counts.of_scores), in portable SQL.
ADDS = {
    "n": "1",
    "nps_n": "CASE WHEN nps IS NOT NULL THEN 1 ELSE 0 END",
    "promoters": "CASE WHEN nps >= 9 THEN 1 ELSE 0 END",
    "passives": "CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END",
    "detractors": "CASE WHEN nps <= 6 THEN 1 ELSE 0 END",
    "csat_n": "CASE WHEN csat IS NOT NULL THEN 1 ELSE 0 END",
    "csat_sum": "COALESCE(csat, 0)",
    "csat_sq": "COALESCE(csat * csat, 0)",
    "csat_top2": "CASE WHEN csat >= 4 THEN 1 ELSE 0 END",
    "ces_n": "CASE WHEN ces IS NOT NULL THEN 1 ELSE 0 END",
    "ces_sum": "COALESCE(ces, 0)",
    "ces_sq": "COALESCE(ces * ces, 0)",
    "ces_agree": "CASE WHEN ces >= 5 THEN 1 ELSE 0 END",
    "comments": "CASE WHEN comment THEN 1 ELSE 0 END",
}
KEYS = "organization_id, node_path, depth, survey_id, channel, day, facet, value, origin"
FACETS = ", ".join(f"'{f}'" for f in STAFF_FACETS)


def _insert(cursor, vendor: str, node: str, length: str) -> None:
    """Every staff row from the ledger at the node `node` (an SQL expression of unit_path),
    for the ledger rows whose unit_path is at least `length` long."""
    sums = ", ".join(f"SUM({expr})" for expr in ADDS.values())
    for facet, start in STARTS[vendor].items():
        cursor.execute(
            f"INSERT INTO analytics_rollup ({KEYS}, {', '.join(ADDS)}) "  # noqa: S608
            f"SELECT organization_id, {node}, LENGTH({node}) / {W} - 1, survey_id, channel, "
            f"{start}, '{facet}', CAST(staff_id AS VARCHAR(32)), origin, {sums} "
            "FROM analytics_counted WHERE staff_id IS NOT NULL AND origin <> 'staff' "
            f"AND LENGTH(unit_path) >= {length} "
            f"GROUP BY organization_id, {node}, survey_id, channel, {start}, staff_id, origin"
        )


def at_own_unit(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM analytics_rollup WHERE facet IN ({FACETS})")  # noqa: S608
        _insert(cursor, connection.vendor, "unit_path", str(W))


def at_every_ancestor(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(LENGTH(unit_path)) FROM analytics_counted")
        longest = cursor.fetchone()[0] or 0
        cursor.execute(f"DELETE FROM analytics_rollup WHERE facet IN ({FACETS})")  # noqa: S608
        for length in range(W, longest + 1, W):
            _insert(cursor, connection.vendor, f"SUBSTR(unit_path, 1, {length})", str(length))


class Migration(migrations.Migration):
    dependencies = [("analytics", "0008_score_rollups")]

    operations = [migrations.RunPython(at_own_unit, at_every_ancestor, elidable=True)]
