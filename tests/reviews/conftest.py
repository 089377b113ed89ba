"""Review fixtures: a fake provider on loopback (allowed through the outbound guard, as the
webhook receivers are), tasks that run nowhere unless a test runs them (helpers: `support.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.reviews.fake_providers import FakeProvider

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
