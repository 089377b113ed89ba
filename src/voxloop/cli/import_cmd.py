"""`voxloop import contacts|interactions FILE`: CSV or XLSX, with a progress bar and a
row-by-row error report; the good rows are kept. `voxloop import survey|responses FILE`:
another tool's survey as a draft with a report, and its past responses (docs/importing.md)."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING, Any

import click

from voxloop.cli import base
from voxloop.cli.base import fail

if TYPE_CHECKING:
    from voxloop.contacts.importing import RowReport
    from voxloop.tenancy.scoping import Scope

UNKNOWN = ["error", "attribute", "ignore"]


@click.group(name="import")
def import_group() -> None:
    """Import contacts, interaction events, surveys or past responses from a file."""


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        column, sep, target = pair.partition("=")
        if not sep or not column.strip():
            raise click.UsageError(f"--map takes COLUMN=FIELD, not '{pair}'")
        mapping[column.strip()] = target.strip()
    return mapping


def _scope(org_slug: str, unit_code: str | None) -> Scope:
    from voxloop.tenancy.scoping import Scope

    org = base.organization(org_slug)
    root = base.root_unit(org)
    unit = base.unit_by_code(org, unit_code) if unit_code else root
    return Scope.system(unit, label="voxloop import")


def _write_errors(path: str | None, report: RowReport) -> None:
    if not report.errors:
        return
    if path:
        with open(path, "w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(["line", "column", "error"])
            for error in report.errors:
                writer.writerow([error.line, error.column, error.message])
        click.echo(f"Row errors written to {path}.")
        return
    for error in report.errors[:20]:
        where = f" column {error.column}" if error.column else ""
        click.echo(f"  line {error.line}{where}: {error.message}", err=True)
    if report.failed > 20:
        click.echo(f"  … and {report.failed - 20} more (see --errors FILE)", err=True)


@import_group.command(name="contacts")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--unit", "unit_code", help="Import as an admin of this unit (default: all).")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    metavar="COLUMN=FIELD",
    help="Map a column to a field (external_id, email, unit, attributes.tier…); "
    "FIELD empty to ignore the column. Repeatable.",
)
@click.option(
    "--unknown",
    type=click.Choice(UNKNOWN),
    default="error",
    show_default=True,
    help="What to do with columns that are no contact field.",
)
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False),
    help="Write the row errors to this CSV file.",
)
def import_contacts(
    path: str,
    org_slug: str,
    unit_code: str | None,
    pairs: tuple[str, ...],
    unknown: str,
    errors_path: str | None,
) -> None:
    """Create or update contacts (matched by external id, else by email)."""
    base.django_ready()
    base.require_migrated()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    from voxloop.contacts.importing import import_file

    scope = _scope(org_slug, unit_code)
    mapping = _mapping(pairs)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows"),
        TimeElapsedColumn(),
        console=console,
        transient=not console.is_terminal,
    ) as bars:
        bar = bars.add_task("Importing contacts", total=1.0, rows=0)

        def progress(rows: int, fraction: float | None) -> None:
            bars.update(bar, completed=fraction if fraction is not None else 0, rows=rows)

        report = import_file(
            actor=scope, path=path, mapping=mapping, unknown=unknown, progress=progress
        )
    click.echo(
        f"{report.rows:,} rows: {report.created:,} created, {report.updated:,} updated, "
        f"{report.failed:,} refused."
    )
    _write_errors(errors_path, report)
    if report.failed and not (report.created or report.updated):
        fail("no row could be imported")


@import_group.command(name="interactions")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False),
    help="Write the row errors to this CSV file.",
)
def import_interactions(path: str, org_slug: str, errors_path: str | None) -> None:
    """Record interaction events (type, contact, unit, staff, channel, external_id,
    occurred_at; every other column is an attribute). Matching triggers invite."""
    base.django_ready()
    base.require_migrated()
    from voxloop.contacts.interactions import import_interactions_file

    report = import_interactions_file(actor=_scope(org_slug, None), path=path)
    click.echo(
        f"{report.rows:,} events: {report.created:,} recorded, "
        f"{report.duplicates:,} already known, {report.failed:,} refused."
    )
    _write_errors(errors_path, report)
    if report.failed and not report.created and not report.duplicates:
        fail("no event could be recorded")


def _admin_scope(org_slug: str, unit_code: str | None) -> tuple[Any, Any]:
    from voxloop.tenancy.scoping import Scope

    org = base.organization(org_slug)
    unit = base.unit_by_code(org, unit_code) if unit_code else base.root_unit(org)
    return Scope.system(unit, label="voxloop import"), unit


@import_group.command(name="survey")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--unit", "unit_code", help="The unit that owns the survey (default: the root).")
@click.option(
    "--kind",
    default="relationship",
    show_default=True,
    type=click.Choice(["relationship", "transactional", "employee", "kiosk"]),
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def import_survey(
    path: str, org_slug: str, unit_code: str | None, kind: str, as_json: bool
) -> None:
    """Create a draft survey from a Qualtrics .qsf, LimeSurvey .lss/.lsa/.lsq, SurveyJS or
    KoboToolbox JSON, XLSForm .xlsx/.xls or Voxloop JSON file, with a report of what could
    not be carried over."""
    base.django_ready()
    base.require_migrated()
    import json

    from voxloop.surveys import services

    content = _read(path)
    scope, unit = _admin_scope(org_slug, unit_code)
    imported = services.import_survey(
        actor=scope, unit=unit, filename=path, content=content, kind=kind
    )
    summary = imported.as_json()
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(
        f"Survey {summary['survey_id']} '{summary['name']}' (draft): "
        f"{len(summary['questions'])} questions, languages {', '.join(summary['languages'])}."
    )
    for entry in summary["report"]:
        where = entry["key"] or entry["question"] or "survey"
        click.echo(f"  {where}: {entry['dropped']} dropped: {entry['why']}")


def _read(path: str) -> bytes:
    from voxloop.uploads import MAX_UPLOAD

    try:
        with open(path, "rb") as handle:
            content = handle.read(MAX_UPLOAD + 1)
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}")
    if len(content) > MAX_UPLOAD:
        fail(f"{path} is larger than {MAX_UPLOAD // 2**20} MB")
    return content


@import_group.command(name="responses")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--survey", "survey_id", required=True, type=int, help="The survey's id.")
@click.option("--json", "as_json", is_flag=True, help="Print the row report as one JSON object.")
def import_responses(path: str, org_slug: str, survey_id: int, as_json: bool) -> None:
    """Load past responses into a survey from a Qualtrics CSV, LimeSurvey .lsr/.lsa/CSV,
    SurveyJS results or KoboToolbox JSON, or a CSV with a column per question."""
    base.django_ready()
    base.require_migrated()
    import json

    from voxloop.responses import services
    from voxloop.surveys import selectors

    content = _read(path)
    scope, _ = _admin_scope(org_slug, None)
    survey = selectors.survey(scope, survey_id)
    report = services.import_response_file(
        actor=scope, survey=survey, filename=path, content=content
    ).as_json()
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(
            f"{report['rows']:,} rows: {report['imported']:,} imported, "
            f"{report['already_imported']:,} already there, {report['skipped']:,} unfinished, "
            f"{report['refused']:,} refused."
        )
        for error in report["errors"][:20]:
            click.echo(f"  line {error['line']}: {error['error']}", err=True)
        if report["unmatched_columns"]:
            shown = ", ".join(report["unmatched_columns"][:10])
            click.echo(f"  columns matching no question: {shown}", err=True)
    if report["refused"] and not (report["imported"] or report["already_imported"]):
        fail("no row could be imported")
