"""CRM fixtures: fake providers on loopback (allowed through the outbound guard), tasks that
run nowhere unless a test runs them (helpers: `support.py`, fakes: `fakes.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.crm.fakes import FakeHubSpot, FakeZendesk

DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.fixture(autouse=True)
def _local_providers_and_no_worker(settings) -> None:
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.TASKS = DUMMY_TASKS


@pytest.fixture
def zendesk() -> Iterator[FakeZendesk]:
    server = FakeZendesk().start()
    yield server
    server.stop()


@pytest.fixture
def hubspot() -> Iterator[FakeHubSpot]:
    server = FakeHubSpot().start()
    yield server
    server.stop()
