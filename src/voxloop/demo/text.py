"""The demo's text analytics: the retail taxonomy for the whole company, the B2B one for the
support division, an alert rule on what comments say, and every comment of the year analysed
before the demo starts."""

from __future__ import annotations

from voxloop.closedloop import services as closedloop_services
from voxloop.demo.org_tree import DemoTree
from voxloop.demo.progress import Progress
from voxloop.tenancy.scoping import Scope
from voxloop.textanalytics import analysis, services


def add_taxonomies(system: Scope, tree: DemoTree) -> None:
    services.install_default_taxonomy(scope=system, kind="retail")
    if tree.division is not None:
        services.install_default_taxonomy(scope=system, kind="b2b", unit=tree.division)
    # "A comment says the staff were rude" → a case, in whatever language it is written (new
    # comments only: the year of history is read without opening cases).
    closedloop_services.create_rule(
        actor=system,
        unit=tree.root,
        name="Comment about rude staff",
        conditions={
            "match": "all",
            "items": [{"field": "comment_theme", "op": "mentions_negative", "value": "staff"}],
        },
        recipients=[{"type": "role", "role": "manager"}],
        priority="high",
        sla_hours=24,
    )


def analyse_comments(organization_id: int, progress: Progress) -> int:
    progress.start("Comments", 1)
    seen = [0]

    def advance(done: int, total: int, analysed: int) -> None:
        if seen[0] == 0:
            progress.start("Comments", total)
        progress.advance(done - seen[0])
        seen[0] = done

    _, analysed = analysis.backfill(organization_id=organization_id, progress=advance)
    return analysed
