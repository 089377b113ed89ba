"""`voxloop analytics …`: maintain the dashboards' rollups."""

from __future__ import annotations

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from voxloop.cli import base


@click.group()
def analytics() -> None:
    """Rebuild the dashboards' figures."""


@analytics.command()
@click.argument("org_slug")
def rebuild(org_slug: str) -> None:
    """Recompute ORG_SLUG's rollups from its stored responses (safe while the app runs)."""
    base.django_ready()
    base.require_migrated()
    from voxloop.analytics import services

    org = base.organization(org_slug)
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=not console.is_terminal) as bars:
        bar = bars.add_task("Counting responses", total=None)

        def advance(done: int, total: int) -> None:
            bars.update(bar, completed=done, total=max(total, 1))

        counted = services.rebuild(organization_id=org.pk, progress=advance)
    click.echo(f"Rebuilt the rollups of {org.slug}: {counted} responses counted.")
