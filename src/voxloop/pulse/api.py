"""Pulse programmes over the API: the programmes one sees, a unit's results wave by wave
(the same anonymity blocks as the pages) and creating a programme (admins)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.analytics import metrics
from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.pulse import results as pulse_results
from voxloop.pulse import selectors, services
from voxloop.pulse.models import Programme
from voxloop.pulse.schemas import ProgrammeIn, ProgrammeOut, ResultsOut, ResultsQuery
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability

router = Router(tags=["pulse"])


def _programme_out(p: Programme) -> dict:
    fields = ("name", "unit_id", "cadence", "drivers_per_wave", "reminder_after_days", "floor")
    return {"id": p.pk, "is_active": p.is_active, "next_wave_at": p.next_wave_at} | {
        f: getattr(p, f) for f in fields
    }


def _figure(f: metrics.Figure | None) -> dict | None:
    if f is None:
        return None
    return {"value": f.value, "low": f.low, "high": f.high, "n": f.n, "low_sample": f.low_sample}


def _change(c: metrics.Change | None) -> dict | None:
    if c is None:
        return None
    keep = ("delta", "p_value", "significant", "reason", "method")
    return {k: getattr(c, k) for k in keep}


def _wave_out(r: pulse_results.WaveResult) -> dict[str, Any]:
    return {
        "number": r.wave.number,
        "opened_at": r.wave.opened_at,
        "shown": r.shown,
        "enps": _figure(r.enps),
        "enps_change": _change(r.enps_change),
        "drivers": [
            {
                "driver": d.question.driver,
                "question": d.question.text,
                "figure": _figure(d.figure),
                "change": _change(d.change),
            }
            for d in r.drivers
        ],
        "themes": [
            {"name": t.name, "comments": t.count, "positive": t.positive, "negative": t.negative}
            for t in r.themes
        ],
    }


@router.get("/pulse/programmes", response=list[ProgrammeOut], url_name="pulse_programmes")
def list_programmes(request: HttpRequest) -> list[dict]:
    """Programmes at your unit, below it, or above it."""
    return [_programme_out(p) for p in selectors.programmes(actor(request))]


@router.post("/pulse/programmes", response={201: ProgrammeOut}, url_name="pulse_programme_create")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status:
    """A programme with the default question bank (admins of the unit)."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = tenancy_selectors.unit_for_field(scope, payload.unit_id, "unit_id")
    settings = services.Settings(
        name=payload.name,
        cadence=payload.cadence,
        drivers_per_wave=payload.drivers_per_wave,
        reminder_after_days=payload.reminder_after_days,
        floor=payload.floor,
        is_active=payload.is_active,
    )
    programme = services.create_programme(actor=scope, unit=unit, settings=settings)
    return Status(201, _programme_out(programme))


@router.get(
    "/pulse/programmes/{int:programme_id}/results",
    response=ResultsOut,
    url_name="pulse_results",
)
def programme_results(request: HttpRequest, programme_id: Id, query: Query[ResultsQuery]) -> dict:
    """eNPS and drivers of a unit's subtree per wave; a wave under the floor has no figures."""
    scope = actor(request)
    programme = selectors.programme(scope, programme_id)
    unit = selectors.unit_in(scope, programme, query.unit_id)
    # Themes under the page's rule: shown waves only, for the roles that read the comments;
    # the comments themselves stay on the page.
    readers = scope.can(Capability.READ_RECORDS)
    waves = pulse_results.unit_results(programme, unit.path, comments=readers, with_themes=True)
    return {
        "programme_id": programme.pk,
        "unit_id": unit.pk,
        "floor": programme.floor,
        "waves": [_wave_out(r) for r in waves],
    }
