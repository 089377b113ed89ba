"""Review fixtures: a fake provider on loopback (allowed through the outbound guard, as the
webhook receivers are), tasks that run nowhere unless a test runs them (helpers: `support.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reviews.fake_providers import FakeProvider
from voxloop.closedloop import services as closedloop_services

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _local_providers_and_no_worker(settings) -> None:
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.TASKS = DUMMY_TASKS


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    server = FakeProvider().start()
    yield server
    server.stop()


@pytest.fixture
def low_rating_rule(world):
    return closedloop_services.create_rule(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Low stars",
        applies_to="reviews",
        conditions={"match": "all", "items": [{"field": "rating", "op": "lte", "value": 2}]},
        recipients=[{"type": "role", "role": "manager"}],
    )
