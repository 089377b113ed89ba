"""Where metrics owned by apps built alongside this one plug in (distribution, closed loop).

Response rate needs delivered invitations (distribution app); case resolution time and SLA
compliance need cases (closed-loop app). Those apps register a provider here from their
`AppConfig.ready`; until one is registered the dashboard simply leaves the panel out.

    from voxloop.analytics import hooks
    hooks.register("delivered_invitations", lambda scope, filters: (delivered, completed))
    hooks.register("case_metrics", lambda scope, filters: {"opened": …, "sla_compliance": …})

A provider reads through the scope it is given (the dashboard's reader) and may raise
`Forbidden` for a role that must not see its figures; the dashboards then leave the panel out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Protocol

PROVIDERS: dict[str, Callable[..., Any]] = {}
KNOWN = (
    "delivered_invitations",
    "case_metrics",
    # Text analytics: responses whose comments match a sentiment/theme filter (a subquery of
    # response ids), breakdowns by comment sentiment and theme, the themes to filter by, and a
    # digest's top themes.
    "text_filter",
    "text_dimension",
    "text_themes",
    "top_themes",
    # Closed loop: the action plans that started in a period under a unit (the trend's
    # annotations): [{"day": date, "title": str, "plan_id": int}].
    "plan_starts",
    # Health: the personas and service tiers among the segments, for the segment filter's
    # option groups and the "By persona" / "By tier" breakdowns:
    # [AudienceGroup(kind, label, [(segment_id, name)])], each unpacking as (label, options).
    "audience_groups",
    # Online reviews: the dashboard's review panel for the same scope and period (average
    # rating, distribution, volume, share of 1–2 stars, replies, each with its change), or
    # None where the reader's subtree has no reviews.
    "review_metrics",
    # Health: the home's first panel for a reader who owns B2B accounts: {"mine": at-risk
    # accounts of their own book, "red": of them red, "url": the at-risk list, "items":
    # [{account_id, name, mine, score, band, change, url}]} (their own first), or None.
    "at_risk_accounts",
)


class AudienceGroup(tuple):
    """One option group of the `audience_groups` hook: (label, [(segment_id, name)]), with
    the kind it is of ('persona' or 'tier') as `.kind`."""

    kind: str

    def __new__(cls, kind: str, label: str, options: list[tuple[int, str]]) -> AudienceGroup:
        group = super().__new__(cls, (label, options))
        group.kind = kind
        return group


class DashboardFilters(Protocol):
    """What a provider reads of the dashboard's filters (analytics.filters.Filters)."""

    @property
    def survey_id(self) -> int | None: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def channel(self) -> str: ...
    @property
    def segment_id(self) -> int | None: ...
    @property
    def min_n(self) -> int: ...
    @property
    def start(self) -> date: ...
    @property
    def end(self) -> date: ...
    def bounds(self) -> tuple[datetime, datetime]: ...
    def previous(self) -> DashboardFilters: ...


def register(name: str, provider: Callable[..., Any]) -> None:
    if name not in KNOWN:
        raise ValueError(f"unknown analytics hook {name!r}; known: {', '.join(KNOWN)}")
    PROVIDERS[name] = provider


def call(name: str, *args: Any) -> Any:
    provider = PROVIDERS.get(name)
    return None if provider is None else provider(*args)
