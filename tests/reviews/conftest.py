"""Review fixtures: a fake provider on loopback (allowed through the outbound guard, as the
webhook receivers are), tasks that run nowhere unless a test runs them, and a source helper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.factories import Org
from tests.reviews.fake_providers import FakeProvider
from voxloop.reviews import services
from voxloop.reviews.models import ReviewSource

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


def make_source(
    org: Org,
    kind: str,
    base_url: str = "",
    locations: dict[str, str] | None = None,
    credentials: dict[str, str] | None = None,
    unit_key: str = "root",
    **fields,
) -> ReviewSource:
    scope = org.scope("admin")
    source = services.create_source(
        scope=scope,
        unit=org.units[unit_key],
        name=fields.pop("name", f"{kind} reviews"),
        kind=kind,
        credentials=credentials or {},
        base_url=base_url,
        **fields,
    )
    for external_id, key in (locations or {}).items():
        services.set_location(
            scope=scope, source=source, external_id=external_id, unit=org.units[key]
        )
    return source
