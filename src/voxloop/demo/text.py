"""The demo's text analytics: the retail taxonomy for the whole company, the B2B one for the
support division, and every comment of the year analysed before the demo starts."""

from __future__ import annotations

from voxloop.demo.org_tree import DemoTree
from voxloop.demo.progress import Progress
from voxloop.tenancy.scoping import Scope
from voxloop.textanalytics import analysis, services


def add_taxonomies(system: Scope, tree: DemoTree) -> None:
    services.install_default_taxonomy(scope=system, kind="retail")
    if tree.division is not None:
        services.install_default_taxonomy(scope=system, kind="b2b", unit=tree.division)


def analyse_comments(organization_id: int, progress: Progress) -> int:
    progress.start("Comments", 1)
    seen = [0]

    def advance(done: int, total: int, analysed: int) -> None:
        if seen[0] == 0:
            progress.start("Comments", total)
        progress.advance(done - seen[0])
        seen[0] = done

    _, analysed = analysis.backfill(organization_id, progress=advance)
    return analysed
