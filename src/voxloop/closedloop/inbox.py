"""What an inbox row shows besides the case itself: who, what they scored, the first words
of what they wrote, how old the case is and how long its SLA has left. Reads the page's cases
only (already scoped by the caller), in two queries whatever the page size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from voxloop.closedloop.models import Case
from voxloop.privacy import redaction
from voxloop.responses import selectors as response_selectors
from voxloop.responses.models import Response
from voxloop.surveys import selectors as survey_selectors

SNIPPET_WORDS = 12


@dataclass(frozen=True)
class InboxRow:
    case: Case
    customer: str
    score: str
    snippet: str
    age: timedelta
    sla_left: timedelta | None  # None once the case is finished

    @property
    def overdue(self) -> bool:
        return self.sla_left is not None and self.sla_left < timedelta(0)

    @property
    def sla_overdue_by(self) -> timedelta | None:
        return -self.sla_left if self.sla_left is not None and self.overdue else None


def _score(response: Response | None) -> str:
    if response is None:
        return ""
    parts = [
        f"{name} {value}"
        for name, value in (("NPS", response.nps), ("CSAT", response.csat), ("CES", response.ces))
        if value is not None
    ]
    return " · ".join(parts)


def _snippet(response: Response | None, text_keys: dict[int, list[str]]) -> str:
    if response is None:
        return ""
    for key in text_keys.get(response.survey_id, []):
        text = response.answers.get(key)
        if isinstance(text, str) and text.strip():
            # The inbox is an overview: every kind of personal detail stays masked here.
            words = redaction.mask(text.strip()).split()
            more = "…" if len(words) > SNIPPET_WORDS else ""
            return " ".join(words[:SNIPPET_WORDS]) + more
    return ""


def rows(cases: list[Case], now: datetime | None = None) -> list[InboxRow]:
    now = now or timezone.now()
    responses = response_selectors.for_case_rows(
        c.response_id for c in cases if c.response_id is not None
    )
    by_id = {r.pk: r for r in responses}
    text_keys = survey_selectors.text_question_keys({r.survey_id for r in by_id.values()})
    out = []
    for case in cases:
        response = by_id.get(case.response_id) if case.response_id is not None else None
        out.append(
            InboxRow(
                case=case,
                customer=str(case.contact) if case.contact_id else "",
                score=_score(response),
                snippet=_snippet(response, text_keys),
                age=now - case.created_at,
                sla_left=(case.due_at - now) if case.is_open else None,
            )
        )
    return out
