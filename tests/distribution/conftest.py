"""A task queue the test runs by hand (Django Tasks' dummy backend), a live survey and
contacts, and Django's SMTP backend pointed at a real aiosmtpd server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from tests.contacts.helpers import add_contact
from tests.surveys.builders import store_visit_survey
from voxloop.distribution.models import OutreachPolicy


@dataclass
class Queue:
    """Enqueued tasks, run in order; those with run_after later than `now` wait."""

    def pending(self):
        return list(default_task_backend.results)

    def names(self) -> list[str]:
        return [r.task.name for r in self.pending()]

    def run_due(self, now: datetime) -> int:
        """Run what is due at `now`, once: tasks these enqueue wait for the next call."""
        due = [
            r
            for r in default_task_backend.results
            if r.task.run_after is None or r.task.run_after <= now
        ]
        for result in due:
            default_task_backend.results.remove(result)
            result.task.call(*result.args, **result.kwargs)
        return len(due)

    def run(self, now: datetime | None = None, name: str = "") -> int:
        ran = 0
        while True:
            now_ = now or timezone.now()
            ready = [
                r
                for r in default_task_backend.results
                if (r.task.run_after is None or r.task.run_after <= now_)
                and (not name or r.task.name == name)
            ]
            if not ready:
                return ran
            result = ready[0]
            default_task_backend.results.remove(result)
            result.task.call(*result.args, **result.kwargs)
            ran += 1


@pytest.fixture
def queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    default_task_backend.clear()
    yield Queue()
    default_task_backend.clear()


@pytest.fixture
def outreach(world, settings, queue):
    """Acme with a live survey, no quiet hours and no fatigue limits unless a test sets them."""
    settings.BASE_URL = "https://cx.example.test"
    acme = world.acme
    OutreachPolicy.objects.create(
        organization=acme.root.organization,
        min_days_between=0,
        max_per_90_days=100,
        quiet_start_hour=0,
        quiet_end_hour=0,
    )
    survey = store_visit_survey(acme)
    people = {
        "ann": add_contact(acme, "c1r1s1", "ANN", first_name="Ann", locale="en"),
        "bo": add_contact(acme, "c1r1s1", "BO", first_name="Bo", locale="zh-hans"),
        "cy": add_contact(acme, "c1r1s2", "CY", first_name="Cy"),
        "di": add_contact(acme, "c2r1s1", "DI", first_name="Di"),
    }
    return acme, survey, people
