"""The case figures read by indexed period ranges (decision 0033): on PostgreSQL the
database sums and orders the resolution hours; the result equals reading every resolved case
and working them out in Python, with fractional hours and across periods and scopes."""

import types
from datetime import UTC, datetime, timedelta

import pytest

from tests.closedloop.support import give_cause
from tests.closedloop.test_case_metrics import NOW, cases, opened, period  # noqa: F401
from voxloop.closedloop import casework, sla


def approx(value):
    if isinstance(value, dict):
        return {k: approx(v) for k, v in value.items()}
    if isinstance(value, float):
        return pytest.approx(value, rel=1e-9, abs=1e-9)
    return value


@pytest.fixture
def more(world, survey, detractor_rule, cases):  # noqa: F811
    """Cases resolved after fractional hours, some past their due time."""
    acme = world.acme
    admin = acme.scope("admin")
    for i, key in enumerate(["c1r1s1", "c1r1s2", "c1r2s1"] * 4):
        case = opened(survey, acme.units[key], datetime(2026, 11, 3 + i, 8, 17, tzinfo=UTC))
        give_cause(case)
        hours = 0.37 + i * 7.913
        casework.change_status(
            actor=admin, case=case, status="resolved", now=case.created_at + timedelta(hours=hours)
        )


@pytest.mark.parametrize("person", ["store", "regional", "admin"])
def test_database_figures_equal_reading_every_case(world, more, person, monkeypatch):
    scope = world.acme.scope(person)
    for chosen in (period(min_n="1"), period(), period(min_n="1", start="2026-11-10")):
        got = sla.case_metrics(scope, chosen, now=NOW)
        monkeypatch.setattr(sla, "connection", types.SimpleNamespace(vendor="python"))
        expected = sla.case_metrics(scope, chosen, now=NOW)
        monkeypatch.undo()
        assert approx(got) == expected
        assert got["resolved"] == expected["resolved"] and got["opened"] == expected["opened"]
