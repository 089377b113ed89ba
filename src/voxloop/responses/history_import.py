"""Importing a response file against an existing survey: each row validated and scored as a
live answer would be (`services.clean_answers`, then `services.import_history`), with a row
report. Rows are keyed by the file's response id, so importing a file again adds nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from voxloop.errors import Forbidden, InvalidInput
from voxloop.responses import history_files
from voxloop.responses.models import Channel, Response
from voxloop.surveys.models import Survey
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit
from voxloop.uploads import MAX_UPLOAD, BadFile


@dataclass
class RowReport:
    rows: int = 0
    imported: int = 0
    already: int = 0
    skipped: int = 0
    refused: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unmatched_columns: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "already_imported": self.already,
            "skipped": self.skipped,
            "refused": self.refused,
            "errors": self.errors,
            "unmatched_columns": self.unmatched_columns,
        }

    def note(self, row: history_files.Row, error: str) -> None:
        self.errors.append({"line": row.line, "response": row.ident, "error": error})


def _locale(survey: Survey, language: str) -> str:
    wanted = language.strip().lower().replace("_", "-")
    offered = list(dict.fromkeys([survey.default_locale, *survey.locales]))
    if wanted in offered:
        return wanted
    base = wanted.split("-")[0]
    return next((x for x in offered if x.split("-")[0] == base), survey.default_locale)


def _rows(
    filename: str, content: bytes, questions: list, unmatched: set[str]
) -> Iterator[history_files.Row]:
    try:
        yield from history_files.read(filename, content, questions, unmatched)
    except BadFile:
        raise
    except (KeyError, TypeError, AttributeError, ValueError, IndexError, RecursionError) as error:
        first = (str(error).splitlines() or [""])[0][:120]
        raise BadFile(
            f"The responses file cannot be read ({type(error).__name__}: {first}).", "file"
        ) from None


def run(actor: Scope, *, survey: Survey, filename: str, content: bytes) -> RowReport:
    from voxloop.responses.services import Submission, clean_answers, import_history

    actor.require(Capability.CONFIGURE)
    if survey.organization_id != actor.organization_id or not actor.covers_path(survey.unit_path):
        raise Forbidden("Only admins of the survey's unit import its responses.", "survey")
    if len(content) > MAX_UPLOAD:
        raise BadFile(f"The file is larger than {MAX_UPLOAD // 2**20} MB.", "file")
    questions = list(survey.questions.all())
    if not questions:
        raise InvalidInput("The survey has no questions to match the file's columns.", "survey")
    report, unmatched = RowReport(), set[str]()
    candidates: list[tuple[history_files.Row, Any]] = []
    seen: set[str] = set()
    for row in _rows(filename, content, questions, unmatched):
        report.rows += 1
        if not row.complete:
            report.skipped += 1
            report.note(row, "not finished: only complete responses are imported")
            continue
        if row.problems:
            report.refused += 1
            report.note(row, "; ".join(row.problems))
            continue
        try:
            clean_answers(survey=survey, questions=questions, answers=row.answers, complete=True)
        except InvalidInput as error:
            report.refused += 1
            report.note(row, error.message)
            continue
        key = f"import:{survey.pk}:{row.ident}"[:200] if row.ident else None
        if key and key in seen:
            report.already += 1
            continue
        seen.add(key or "")
        submission = Submission(
            survey=survey,
            answers=row.answers,
            channel=Channel.IMPORT,
            locale=_locale(survey, row.language),
            submitted_at=row.submitted_at,
            source_key=key,
            allow_closed=True,
            questions=questions,
        )
        candidates.append((row, submission))
    keys = [s.source_key for _, s in candidates if s.source_key]
    known = set(
        Response.objects.filter(
            organization_id=survey.organization_id, source_key__in=keys
        ).values_list("source_key", flat=True)
    )
    fresh = [s for _, s in candidates if s.source_key not in known]
    report.already += len(candidates) - len(fresh)
    report.imported = import_history(survey=survey, submissions=fresh) if fresh else 0
    report.unmatched_columns = sorted(unmatched)[:200]
    record_audit(
        actor=actor,
        action="responses.import",
        target=survey,
        changes={"file": filename[:200], "imported": report.imported, "refused": report.refused},
    )
    return report
