"""`voxloop text …`: analyse files of comments, measure accuracy on labelled files, and keep
stored results current."""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from voxloop.cli import base

if TYPE_CHECKING:
    from rich.progress import TaskID

    from voxloop.textanalytics import matching
    from voxloop.textanalytics.engine.pipeline import Analyzer
    from voxloop.textanalytics.evaluation import Scores

# (language, classes) → [correct, n], over every file in that language.
Pooled = dict[tuple[str, tuple[str, ...]], list[int]]

MAX_LINE = 5000


@click.group()
def text() -> None:
    """Text analytics: sentiment, themes, keywords and intent of comments."""


def _lines(path: str, column: str | None) -> Iterator[tuple[int, str]]:
    """(line number, text) of each input line, or of each CSV row's COLUMN."""
    if path != "-" and not Path(path).is_file():
        base.fail(f"no such file: {path}")
    handle = sys.stdin if path == "-" else open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    try:
        if column is None:
            for number, line in enumerate(handle, 1):
                yield number, line.rstrip("\r\n")
            return
        reader = csv.DictReader(handle)
        if column not in (reader.fieldnames or []):
            found = ", ".join(reader.fieldnames or []) or "none"
            base.fail(f"the CSV has no column '{column}' (columns: {found})")
        for number, row in enumerate(reader, 2):
            yield number, row.get(column) or ""
    except UnicodeDecodeError:
        base.fail(f"{path} is not UTF-8 text")
    finally:
        if handle is not sys.stdin:
            handle.close()


def _engine(org_slug: str | None) -> tuple[Analyzer, matching.ThemeMatcher | None]:
    from voxloop.textanalytics import matching
    from voxloop.textanalytics.engine.pipeline import FastAnalyzer

    if not org_slug:
        return FastAnalyzer(), matching.default_matcher()
    base.django_ready()
    base.require_migrated()
    from voxloop.textanalytics import analysis, selectors

    org = base.organization(org_slug)
    taxonomy = selectors.taxonomy_for_unit_path(org.pk, base.root_unit(org).path)
    return analysis.analyzer_for(organization_id=org.pk), matching.matcher_for(taxonomy)


@text.command()
@click.argument("file")
@click.option("--column", help="Read this column of a CSV file instead of whole lines.")
@click.option("--locale", default="", help="The texts' language if known (e.g. ro, zh-Hant).")
@click.option("--org", "org_slug", help="Use this organisation's taxonomy and languages.")
def analyze(file: str, column: str | None, locale: str, org_slug: str | None) -> None:
    """Analyse each line of FILE ('-': standard input); print one JSON object per line.

    Without --org the built-in retail and B2B taxonomies name the themes. An empty line gives
    an empty result, so output line N always answers input line N."""
    from voxloop.textanalytics.presenting import public

    engine, matcher = _engine(org_slug)
    out = sys.stdout
    for number, line in _lines(file, column):
        if len(line) > MAX_LINE:
            click.echo(f"voxloop: line {number} cut to {MAX_LINE} characters", err=True)
        result = public(engine.analyse_one(line[:MAX_LINE], locale, matcher))
        out.write(json.dumps({"line": number, **result}, ensure_ascii=False) + "\n")


@text.command()
@click.argument("files", nargs=-1, required=True)
@click.option("--language", default="", help="The files' language when their folder says not.")
@click.option(
    "--split",
    type=click.Choice(["all", "dev", "test"]),
    default="all",
    help="Score only the dev or test half (the halves the model's training keeps apart).",
)
@click.option("--markdown", is_flag=True, help="Print the table as Markdown.")
def evaluate(files: tuple[str, ...], language: str, split: str, markdown: bool) -> None:
    """Accuracy and macro-F1 of the sentiment on labelled FILES, per file and language.

    Three classes where a file has neutral items, otherwise positive vs negative."""
    from voxloop.textanalytics.engine.pipeline import FastAnalyzer
    from voxloop.textanalytics.evaluation import predictor, read_labelled, score
    from voxloop.textanalytics.training.corpus import split_of

    engine = FastAnalyzer(with_keywords=False)

    predict = predictor(engine)
    rows: list[tuple[str, str, Scores]] = []
    pooled: Pooled = defaultdict(lambda: [0, 0])
    for name in files:
        items = read_labelled(Path(name), language)
        if split != "all":
            items = [item for item in items if split_of(item.text) == split]
        if not items:
            base.fail(f"{name}: no labelled items")
        lang = items[0].language or "?"
        result = score(items, predict, lang)
        rows.append((lang, Path(name).name, result))
        pool = pooled[(lang, result.classes)]
        pool[0] += result.correct
        pool[1] += result.n
    _print_table(rows, pooled, markdown)


def _print_table(rows: list[tuple[str, str, Scores]], pooled: Pooled, markdown: bool) -> None:
    header = ("language", "file", "classes", "n", "accuracy", "macro-F1", "mixed found")
    lines = []
    for lang, name, result in rows:
        shown = "3" if len(result.classes) == 3 else "pos/neg"
        mixed = f"{result.mixed_found}/{result.mixed}" if result.mixed else ""
        accuracy, f1 = f"{result.accuracy:.3f}", f"{result.macro_f1:.3f}"
        lines.append((lang, name, shown, str(result.n), accuracy, f1, mixed))
    for (lang, classes), (correct, n) in sorted(pooled.items()):
        if sum(1 for row in rows if row[0] == lang and row[2].classes == classes) > 1:
            kind = "3" if len(classes) == 3 else "pos/neg"
            lines.append((lang, "(all files)", kind, str(n), f"{correct / n:.3f}", "", ""))
    if markdown:
        click.echo("| " + " | ".join(header) + " |")
        click.echo("|" + "|".join("---" for _ in header) + "|")
        for line in lines:
            click.echo("| " + " | ".join(line) + " |")
        return
    widths = [max(len(h), *(len(line[i]) for line in lines)) for i, h in enumerate(header)]
    for line in (header, *lines):
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)))


@text.command()
@click.option("--org", "org_slug", help="Only this organisation (default: every one).")
@click.option("--force", is_flag=True, help="Analyse every comment again, current or not.")
def backfill(org_slug: str | None, force: bool) -> None:
    """Analyse every comment whose stored result is missing or stale (the text, the model or
    the taxonomy changed). Safe to stop and run again: it carries on where it stopped."""
    base.django_ready()
    base.require_migrated()
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from voxloop.tenancy.selectors import organizations
    from voxloop.textanalytics import analysis

    orgs = [base.organization(org_slug)] if org_slug else organizations()
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[analysed]} analysed"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=not console.is_terminal) as bars:
        for org in orgs:
            bar = bars.add_task(f"{org.slug}: responses", total=None, analysed=0)

            def advance(done: int, total: int, analysed: int, bar: TaskID = bar) -> None:
                bars.update(bar, completed=done, total=max(total, 1), analysed=analysed)

            seen, analysed = analysis.backfill(
                organization_id=org.pk, force=force, progress=advance
            )
            click.echo(f"{org.slug}: {seen} responses looked at, {analysed} comments analysed.")


@text.group()
def taxonomy() -> None:
    """Theme taxonomies."""


@taxonomy.command("install")
@click.argument("kind", type=click.Choice(["retail", "b2b"]))
@click.option("--org", "org_slug", required=True, help="The organisation.")
@click.option("--unit", "unit_code", help="Apply to this unit's subtree (default: everywhere).")
def install(kind: str, org_slug: str, unit_code: str | None) -> None:
    """Copy the built-in retail or B2B taxonomy into an organisation."""
    base.django_ready()
    base.require_migrated()
    from voxloop.tenancy.scoping import Scope
    from voxloop.textanalytics.services import install_default_taxonomy

    org = base.organization(org_slug)
    unit = base.unit_by_code(org, unit_code) if unit_code else None
    scope = Scope.system(base.root_unit(org), label="cli")
    found = install_default_taxonomy(scope=scope, kind=kind, unit=unit)
    click.echo(f"Installed '{found.name}' (taxonomy {found.pk}) in {org.slug}.")
