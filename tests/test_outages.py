"""Work that waits out a short database outage (decision 0065)."""

import pytest
from django.db import OperationalError

from voxloop import outages


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(outages.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(outages.time, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    return now


def failing(times: int, error: Exception):
    calls = []

    def work():
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return work, calls


@pytest.mark.django_db
def test_work_is_tried_again_until_the_database_answers(clock):
    work, calls = failing(3, OperationalError("connection refused"))
    assert outages.through_database_outage(work, name="test", for_seconds=30) == "done"
    assert len(calls) == 4
    assert clock[0] == 1000.0 + 3 * outages.PAUSE


@pytest.mark.django_db
def test_an_outage_longer_than_the_wait_is_raised_for_the_sweeps(clock):
    work, calls = failing(1000, OperationalError("connection refused"))
    with pytest.raises(OperationalError):
        outages.through_database_outage(work, name="test", for_seconds=5)
    assert len(calls) == 5 / outages.PAUSE + 1
    assert clock[0] - 1000.0 == pytest.approx(5.0)


def test_other_errors_are_not_an_outage(clock):
    work, calls = failing(1, ValueError("a bug"))
    with pytest.raises(ValueError):
        outages.through_database_outage(work, name="test", for_seconds=30)
    assert len(calls) == 1
