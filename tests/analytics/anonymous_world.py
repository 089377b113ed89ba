"""Helpers of the anonymity tests that need nothing of the rule itself (so the regression
tests run, and fail, against the code from before it)."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from voxloop.analytics import services
from voxloop.responses.services import Submission, import_history
from voxloop.surveys import services as survey_services


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def closed_months(count: int) -> list[date]:
    """The first days of the `count` months before this one, oldest first."""
    this_month = timezone.localdate().replace(day=1)
    return [add_months(this_month, -k) for k in range(count, 0, -1)]


def employee_survey(org, name: str):
    """An anonymous (employee) survey at the company with one required eNPS question."""
    actor = org.scope("admin")
    survey = survey_services.create_survey(
        actor=actor, unit=org.root, name=name, kind="employee", default_locale="en"
    )
    survey_services.add_question(
        actor=actor,
        survey=survey,
        key="enps",
        type="nps",
        required=True,
        texts={"title": {"en": "Recommend?"}},
    )
    survey_services.publish(actor=actor, survey=survey)
    return survey


def on(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def answers(survey, unit, scores, day: date | None = None, locale: str = "en") -> list:
    """Past answers (day 10 of last month unless given) with these eNPS scores."""
    day = day or closed_months(1)[0].replace(day=10)
    return [
        Submission(
            survey, {"enps": s}, unit=unit, submitted_at=on(day), locale=locale, allow_closed=True
        )
        for s in scores
    ]


def store_pulses(world, survey, given: list) -> None:
    """Store our answers and six of the other tenant's to a pulse of its own; count both."""
    import_history(survey=survey, submissions=given)
    theirs = employee_survey(world.other, "Pulse")
    import_history(survey=theirs, submissions=answers(theirs, world.other.units["c1r1s1"], [9] * 6))
    for org in (world.acme, world.other):
        services.rebuild(organization_id=org.root.organization_id)
