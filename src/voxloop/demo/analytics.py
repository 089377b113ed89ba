"""The demo's dashboards: count the year of imported feedback into the rollups at once, so
they are full when the demo starts (the import's own events would count it in the worker)."""

from __future__ import annotations

from voxloop.analytics import services
from voxloop.demo.progress import Progress


def count_feedback(organization_id: int, progress: Progress) -> int:
    progress.start("Dashboards", 1)
    seen = [0]

    def advance(done: int, total: int) -> None:
        if seen[0] == 0:
            progress.start("Dashboards", total)
        progress.advance(done - seen[0])
        seen[0] = done

    return services.rebuild(organization_id=organization_id, progress=advance)
