"""Helpers of the anonymity tests that need nothing of the rule itself (so the regression
tests run, and fail, against the code from before it)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

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
    survey = survey_services.create_survey(actor, org.root, name, "employee", "en")
    survey_services.add_question(
        actor, survey, "enps", "nps", required=True, texts={"title": {"en": "Recommend?"}}
    )
    survey_services.publish(actor, survey)
    return survey
