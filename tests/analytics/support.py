"""Analytics fixtures: a survey with every headline score, responses placed anywhere, and
tasks that run at once so an event reaches the rollups inside the test."""

from datetime import UTC, datetime

import pytest

from voxloop.responses.services import Submission, submit
from voxloop.surveys import services as survey_services
from voxloop.tenancy.models import Staff


def cx_survey(org, kind: str = "transactional", name: str = "Visit"):
    actor = org.scope("admin")
    survey = survey_services.create_survey(
        actor=actor, unit=org.root, name=name, kind=kind, default_locale="en", locales=["ja"]
    )
    t = {"title": {"en": "Q"}}
    survey_services.add_question(actor=actor, survey=survey, key="nps", type="nps", texts=t)
    survey_services.add_question(actor=actor, survey=survey, key="csat", type="csat", texts=t)
    survey_services.add_question(actor=actor, survey=survey, key="ces", type="ces", texts=t)
    survey_services.add_question(
        actor=actor,
        survey=survey,
        key="reason",
        type="single_choice",
        texts=t,
        config={"choices": [{"key": k, "label": {"en": k}} for k in ("price", "staff", "queue")]},
    )
    survey_services.add_question(
        actor=actor, survey=survey, key="friendly", type="rating", texts=t, config={"scale": 5}
    )
    survey_services.add_question(
        actor=actor, survey=survey, key="comment", type="long_text", texts=t
    )
    survey_services.publish(actor=actor, survey=survey)
    return survey


def respond(
    survey,
    unit,
    nps=None,
    csat=None,
    ces=None,
    at=None,
    channel="web",
    staff=None,
    locale="en",
    comment="",
    contact=None,
    **answers,
):
    values = {"nps": nps, "csat": csat, "ces": ces, "comment": comment, **answers}
    given = {k: v for k, v in values.items() if v not in (None, "")}
    return submit(
        submission=Submission(
            survey=survey,
            answers=given,
            unit=unit,
            staff=staff,
            contact=contact,
            channel=channel,
            locale=locale,
            submitted_at=at or datetime(2026, 11, 3, 10, tzinfo=UTC),
        )
    ).response


def staff_of(unit):
    return Staff.objects.filter(unit=unit).first()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def survey(world):
    return cx_survey(world.acme)


# A rollup row as the backfill tests compare it: its key but the facet, and every counter.
ROW_FIELDS = ("node_path", "depth", "survey_id", "channel", "origin", "day", "value")


def facet_rows(facet: str) -> list[tuple]:
    from voxloop.analytics.metrics import COUNT_FIELDS
    from voxloop.analytics.models import Rollup

    return sorted(Rollup.objects.filter(facet=facet).values_list(*ROW_FIELDS, *COUNT_FIELDS))


def backfilled_rows(facet: str, backfill) -> list[tuple]:
    """The facet's rows deleted, then written again by a migration's `backfill`."""
    from django.db import connection

    from voxloop.analytics.models import Rollup

    Rollup.objects.filter(facet=facet).delete()
    backfill(None, type("Editor", (), {"connection": connection})())
    return facet_rows(facet)
