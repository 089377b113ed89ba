"""Webhook fixtures: a local receiver (allowed through the operators' allow-list, as in the
closed loop's tests), the store-visit survey, and tasks that run nowhere unless a test says so:
the tests drive deliveries and the sweep with their own clock."""

from __future__ import annotations

import pytest

from tests.closedloop.receiver import Receiver
from tests.smtp import free_port
from tests.surveys.builders import store_visit_survey
from voxloop.responses import services as response_services
from voxloop.responses.services import Submission
from voxloop.webhooks import services

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
ALL_CASE_EVENTS = ["case.opened", "case.assigned", "case.resolved", "case.overdue"]


@pytest.fixture(autouse=True)
def _local_receivers_and_no_worker(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.TASKS = DUMMY_TASKS


@pytest.fixture
def receiver():
    server = Receiver(port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def survey(world):
    return store_visit_survey(world.acme)


def subscribe(org, unit_key="root", events=("response.completed",), url="", **fields):
    unit = org.units[unit_key]
    return services.create_subscription(
        actor=org.scope("admin"),
        unit=unit,
        name=fields.pop("name", f"hook at {unit_key}"),
        url=url,
        events=list(events),
        **fields,
    )


def submit(survey, answers, **context):
    outcome = response_services.submit(
        submission=Submission(survey=survey, answers=answers, **context)
    )
    return outcome.response
