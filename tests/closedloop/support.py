"""Closed-loop fixtures: the store-visit survey, a detractor rule at the company, and a way to
submit a response the way every channel does."""

import pytest

from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import services
from voxloop.responses import services as response_services
from voxloop.responses.services import Submission

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _local_webhook_receivers(settings):
    # The tests' webhook receivers listen on 127.0.0.1, which production refuses: allowed here
    # through the operators' allow-list (voxloop.outbound).
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]


@pytest.fixture
def survey(world):
    return store_visit_survey(world.acme)


@pytest.fixture
def detractor_rule(world, survey):
    acme = world.acme
    return services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Detractor",
        conditions={"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[{"type": "role", "role": "manager"}],
        survey_ids=[survey.pk],
    )


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


def submit(survey, answers, **context):
    return response_services.submit(
        submission=Submission(survey=survey, answers=answers, **context)
    ).response


def give_cause(case, name: str = "Queue at the till"):
    """Cases finish only with a root cause: tests about something else give them one."""
    from voxloop.closedloop.models import RootCause

    cause, _ = RootCause.objects.get_or_create(organization_id=case.organization_id, name=name)
    case.root_cause = cause
    case.save(update_fields=["root_cause"])
    return cause
