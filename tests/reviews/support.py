"""Helpers of the review tests: a source with its locations, made through the services."""

from __future__ import annotations

from tests.factories import Org
from voxloop.reviews import services
from voxloop.reviews.models import ReviewSource


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
