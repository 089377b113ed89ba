"""`voxloop demo`: seed Northwind Group with a progress bar, then print how to sign in."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from voxloop.cli import base

if TYPE_CHECKING:
    from voxloop.demo.seed import DemoResult


class RichSteps:
    """The demo's progress protocol drawn as one rich bar per step."""

    def __init__(self, bars: Progress) -> None:
        self.bars = bars
        self.current: TaskID | None = None

    def start(self, label: str, total: int) -> None:
        if self.current is not None:
            self.bars.update(self.current, completed=self.bars.tasks[self.current].total)
        self.current = self.bars.add_task(label, total=max(total, 1))

    def advance(self, amount: int = 1) -> None:
        if self.current is not None:
            self.bars.advance(self.current, amount)

    def finish(self) -> None:
        if self.current is not None:
            self.bars.update(self.current, completed=self.bars.tasks[self.current].total)


@click.command()
@click.option("--seed", default=42, show_default=True, help="Same seed, same demo.")
@click.option("--stores", default=200, show_default=True, type=click.IntRange(1, 5000))
@click.option("--staff", default=400, show_default=True, type=click.IntRange(0, 20000))
@click.option("--accounts", default=120, show_default=True, type=click.IntRange(0, 5000))
@click.option("--contacts", default=20000, show_default=True, type=click.IntRange(0, 2_000_000))
@click.option(
    "--responses",
    type=click.IntRange(0, 10_000_000),
    help="Historical responses over the last 12 months  [default: 5 per contact]",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the year of feedback ends  [default: today, UTC]",
)
@click.option("--reset", is_flag=True, help="Replace an existing demo organisation.")
def demo(
    seed: int,
    stores: int,
    staff: int,
    accounts: int,
    contacts: int,
    responses: int | None,
    as_of: datetime | None,
    reset: bool,
) -> None:
    """Seed the Northwind Group demo with logins.

    Creates the organisation with slug 'demo': stores, staff, B2B accounts, contacts,
    four live surveys with a year of responses, and one login per role, all sharing the
    password printed at the end.
    """
    base.django_ready()
    base.require_migrated()
    from voxloop.demo import DEMO_PASSWORD, DEMO_SLUG, DemoSize, seed_demo
    from voxloop.demo.seed import demo_exists
    from voxloop.tenancy.services import delete_organization

    console = Console(stderr=True)
    if demo_exists() and not reset:
        click.echo(
            f"The demo organisation '{DEMO_SLUG}' already exists; nothing changed "
            "(use --reset to replace it)."
        )
        click.echo(f"Demo logins: {', '.join(_login_names())}; password: {DEMO_PASSWORD}")
        return
    _refuse_foreign_logins()
    began = time.monotonic()
    if reset and delete_organization(slug=DEMO_SLUG):
        console.print(f"Removed the previous demo organisation '{DEMO_SLUG}'.")
    size = DemoSize(
        stores=stores, staff=staff, accounts=accounts, contacts=contacts, responses=responses
    )
    anchor = as_of.replace(tzinfo=UTC) if as_of else None
    with Progress(
        TextColumn("{task.description:<18}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bars:
        steps = RichSteps(bars)
        result = seed_demo(size, seed=seed, progress=steps, anchor=anchor)
        steps.finish()
    feedback = result.feedback
    if feedback is None:
        base.fail("the demo seeded no feedback")
    click.echo(
        f"Seeded '{result.organization.name}' in {time.monotonic() - began:.1f}s: "
        f"{len(result.tree.stores)} stores, {result.staff} staff, "
        f"{result.accounts} accounts, {result.contacts} contacts, "
        f"{feedback.responses:,} responses to 4 surveys."
    )
    declining = ", ".join(f"{u.name} ({u.code})" for u in feedback.declining)
    click.echo(f"Stores whose scores slide over the last three months: {declining}.")
    if result.reviews:
        click.echo(
            f"Online reviews: {result.reviews.reviews:,} from {result.reviews.sources} sources, "
            f"{result.reviews.competitors:,} on competitors' listings."
        )
    _print_logins(result)


def _refuse_foreign_logins() -> None:
    """A demo login name already used by a real user outside the demo would be a clash."""
    from django.contrib.auth import get_user_model

    from voxloop.demo.seed import DEMO_SLUG

    names = _login_names()
    clash = (
        get_user_model()
        .objects.filter(username__in=names)
        .exclude(memberships__organization__slug=DEMO_SLUG)
        .values_list("username", flat=True)
        .first()
    )
    if clash:
        base.fail(f"a user named '{clash}' already exists outside the demo; rename it first")


def _login_names() -> list[str]:
    from voxloop.demo.names import ACCOUNT_MANAGERS

    names = ["admin", "director", "regional", "store", "agent", "viewer"]
    return names + [username for username, *_ in ACCOUNT_MANAGERS]


def _print_logins(result: DemoResult) -> None:
    table = Table(title=f"Demo logins (password: {result.password})", title_justify="left")
    for column in ("username", "role", "where"):
        table.add_column(column)
    for login in result.logins:
        table.add_row(login.username, login.role, login.where)
    Console().print(table)
    click.echo(f"All demo logins share the password: {result.password}")
