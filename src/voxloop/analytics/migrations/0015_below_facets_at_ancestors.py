"""Hour, language, score and hour-of-the-week rollups kept at a unit's ancestors only
(decision 0059): a unit's own responses in these facets are read from the ledger.

The rows are made again from the ledger (`analytics_counted`, which holds what every
response counts, archived ones included), at every strict ancestor of each entry's unit:
exactly the rows `counting._accumulate` writes from now on. Reversing makes the rows at the
entry's own unit too. The ledger's index gains the day, for reading a unit's period.
"""

from django.db import migrations, models

W = 10  # tenancy.models.PATH_SEGMENT_WIDTH when this was written
# facet -> (day, value, condition) per vendor
FACETS = {
    "postgresql": {
        "hour": ("day", "CAST(hour AS VARCHAR(32))", "TRUE"),
        "locale": ("day", "locale", "TRUE"),
        "score": ("day", "CAST(nps AS VARCHAR(32))", "nps IS NOT NULL"),
        "hour_m": (
            "date_trunc('month', day)::date",
            "CAST((EXTRACT(ISODOW FROM day)::int - 1) * 24 + hour AS VARCHAR(32))",
            "TRUE",
        ),
    },
    "sqlite": {
        "hour": ("day", "CAST(hour AS VARCHAR(32))", "1"),
        "locale": ("day", "locale", "1"),
        "score": ("day", "CAST(nps AS VARCHAR(32))", "nps IS NOT NULL"),
        "hour_m": (
            "date(day, 'start of month')",
            "CAST(((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) * 24 + hour AS TEXT)",
            "1",
        ),
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
NAMES = ", ".join(f"'{f}'" for f in FACETS["sqlite"])


def _remake(schema_editor, own_unit: bool) -> None:
    """Every row of these facets again from the ledger, at each ancestor of the entry's
    unit (and at the unit itself when `own_unit`)."""
    connection = schema_editor.connection
    facets = FACETS[connection.vendor]
    sums = ", ".join(f"SUM({expr})" for expr in ADDS.values())
    below = ">=" if own_unit else ">"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM analytics_rollup WHERE facet IN ({NAMES})")  # noqa: S608
        cursor.execute("SELECT MAX(LENGTH(unit_path)) FROM analytics_counted")
        longest = cursor.fetchone()[0] or 0
        for length in range(W, longest + 1, W):
            node = f"SUBSTR(unit_path, 1, {length})"
            for facet, (day, value, condition) in facets.items():
                cursor.execute(
                    f"INSERT INTO analytics_rollup ({KEYS}, {', '.join(ADDS)}) "  # noqa: S608
                    f"SELECT organization_id, {node}, {length // W - 1}, survey_id, channel, "
                    f"{day}, '{facet}', {value}, origin, {sums} "
                    f"FROM analytics_counted WHERE LENGTH(unit_path) {below} {length} "
                    f"AND {condition} "
                    f"GROUP BY organization_id, {node}, survey_id, channel, {day}, {value}, origin"
                )


def at_ancestors(apps, schema_editor):
    _remake(schema_editor, own_unit=False)


def at_own_unit_too(apps, schema_editor):
    _remake(schema_editor, own_unit=True)


class Migration(migrations.Migration):
    dependencies = [("analytics", "0014_rollup_level_days_index")]

    operations = [
        migrations.RunPython(at_ancestors, at_own_unit_too, elidable=True),
        migrations.RemoveIndex(model_name="counted", name="counted_org_path"),
        migrations.AddIndex(
            model_name="counted",
            index=models.Index(
                fields=["organization", "unit_path", "day"], name="counted_unit_days"
            ),
        ),
    ]
