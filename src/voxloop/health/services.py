"""Every write of the health app: the health model an admin chooses, personas and tiers,
and the scores (computed by the clock, on events, and for the demo's year of history)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from voxloop.contacts import selectors as contact_selectors
from voxloop.errors import InvalidInput, NotFound
from voxloop.health.models import (
    Audience,
    AudienceKind,
    HealthModel,
    HealthSignal,
    Mapping,
    SignalKind,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MAX_SIGNALS = 20
NEEDS_PARAM = {SignalKind.INTERACTIONS, SignalKind.ATTRIBUTE}

# A sensible start an admin then tunes: (kind, param, weight, mapping, bad, good).
DEFAULT_SIGNALS: list[tuple[str, str, float, str, float, float]] = [
    (SignalKind.NPS, "", 3, Mapping.CURVE, -50, 50),
    (SignalKind.NPS_TREND, "", 1, Mapping.CURVE, -30, 10),
    (SignalKind.CSAT, "", 1, Mapping.CURVE, 50, 90),
    (SignalKind.OPEN_CASES, "", 1, Mapping.CURVE, 3, 0),
    (SignalKind.OVERDUE_CASES, "", 1, Mapping.STEPS, 1, 0),
    (SignalKind.SENTIMENT, "", 1, Mapping.CURVE, -50, 50),
    (SignalKind.SILENCE, "", 1, Mapping.CURVE, 100, 0),
    (SignalKind.TENURE, "", 1, Mapping.CURVE, 3, 36),
]


def _require_top(actor: Scope) -> None:
    """The model is the whole organisation's: its admins at the top unit set it."""
    actor.require(Capability.CONFIGURE)
    root = tenancy_selectors.organization_root(actor.organization_id)
    if actor.unit_path != root.path:
        raise InvalidInput(
            "Only an admin of the whole organisation sets its health model.", field="model"
        )


def model_of(*, organization_id: int) -> HealthModel:
    """The organisation's health model, made with the default signals the first time."""
    found = HealthModel.objects.filter(organization_id=organization_id).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            model = HealthModel.objects.create(organization_id=organization_id)
            HealthSignal.objects.bulk_create(
                HealthSignal(model=model, kind=k, param=p, weight=w, mapping=m, bad=bad, good=good)
                for k, p, w, m, bad, good in DEFAULT_SIGNALS
            )
    except IntegrityError:  # made by someone else meanwhile
        return HealthModel.objects.get(organization_id=organization_id)
    return model


def _clean_signal(raw: dict[str, Any], i: int) -> dict[str, Any]:
    where = f"signals.{i}"
    kind = raw.get("kind")
    if kind not in SignalKind.values:
        raise InvalidInput("Unknown signal.", field=f"{where}.kind")
    param = str(raw.get("param") or "").strip()
    if kind in NEEDS_PARAM and not param:
        raise InvalidInput(
            "Name the interaction type (key) or the attribute.", field=f"{where}.param"
        )
    if len(param) > 60 or (param and not param.replace("_", "").replace("-", "").isalnum()):
        raise InvalidInput("Letters, digits, - and _ only.", field=f"{where}.param")
    mapping = raw.get("mapping") or Mapping.CURVE
    if mapping not in Mapping.values:
        raise InvalidInput("Unknown mapping.", field=f"{where}.mapping")
    try:
        weight, bad, good = (float(raw[k]) for k in ("weight", "bad", "good"))
    except (KeyError, TypeError, ValueError):
        raise InvalidInput("Weight, bad and good are numbers.", field=f"{where}.weight") from None
    if not 0 < weight <= 100:
        raise InvalidInput("A weight is above 0 and at most 100.", field=f"{where}.weight")
    if bad == good:
        raise InvalidInput("'Bad at' and 'good at' must differ.", field=f"{where}.good")
    keeps_param = kind in NEEDS_PARAM or kind == SignalKind.RENEWAL
    return {
        "kind": kind,
        "param": param if keeps_param else "",
        "weight": weight,
        "mapping": mapping,
        "bad": bad,
        "good": good,
    }


@transaction.atomic
def save_model(
    *,
    actor: Scope,
    name: str,
    window_days: int,
    red_below: int,
    amber_below: int,
    sla_hours: int,
    signals: list[dict[str, Any]],
    playbook_id: int | None = None,
) -> HealthModel:
    """Replace the organisation's health model (its signals too); scores follow on the next
    run, which sees the new version."""
    _require_top(actor)
    if not 0 <= red_below < amber_below <= 100:
        raise InvalidInput("Red must start below amber, both between 0 and 100.", "red_below")
    if not 7 <= window_days <= 730:
        raise InvalidInput("A window of 7 to 730 days.", field="window_days")
    if not 1 <= sla_hours <= 720:
        raise InvalidInput("Between 1 and 720 hours.", field="sla_hours")
    if not signals or len(signals) > MAX_SIGNALS:
        raise InvalidInput(f"Choose 1 to {MAX_SIGNALS} signals.", field="signals")
    cleaned = [_clean_signal(raw, i) for i, raw in enumerate(signals)]
    seen = set()
    for i, s in enumerate(cleaned):
        if (s["kind"], s["param"]) in seen:
            raise InvalidInput("This signal is chosen twice.", field=f"signals.{i}.kind")
        seen.add((s["kind"], s["param"]))
    if playbook_id is not None:
        from voxloop.closedloop import selectors as case_selectors

        try:
            case_selectors.playbook(actor, playbook_id)
        except NotFound:
            raise NotFound("No such playbook.", field="playbook") from None
    model = model_of(organization_id=actor.organization_id)
    model = HealthModel.objects.select_for_update().get(pk=model.pk)
    model.name = (name or "").strip()[:120] or model.name
    model.window_days, model.red_below, model.amber_below = window_days, red_below, amber_below
    model.sla_hours, model.playbook_id = sla_hours, playbook_id
    model.version += 1
    model.save()
    model.signals.all().delete()
    HealthSignal.objects.bulk_create(HealthSignal(model=model, **s) for s in cleaned)
    record_audit(
        actor=actor,
        action="health.model",
        target=model,
        changes={"signals": [f"{s['kind']}:{s['param']}×{s['weight']:g}" for s in cleaned]},
    )
    return model


# --- personas and service tiers -------------------------------------------------------------


def save_audience(
    *,
    actor: Scope,
    kind: str,
    name: str,
    segment_id: int,
    unit: OrgUnit | None = None,
    description: str = "",
    audience: Audience | None = None,
) -> Audience:
    """A persona or a tier over a segment the admin can use (decision 0036)."""
    actor.require(Capability.CONFIGURE)
    if kind not in AudienceKind.values:
        raise InvalidInput("A persona or a service tier.", field="kind")
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("A name of 1 to 120 characters.", field="name")
    segment = contact_selectors.segment(actor, segment_id)
    unit = unit or tenancy_selectors.scope_root(actor)
    if not actor.covers(unit):
        raise NotFound("No such unit.", field="unit")
    if audience is not None and not actor.covers_path(audience.unit_path):
        raise NotFound("No such persona or tier.")
    target = audience or Audience(organization_id=actor.organization_id)
    target.kind, target.name, target.segment = kind, name, segment
    target.unit, target.unit_path = unit, unit.path
    target.description = (description or "").strip()[:300]
    try:
        with transaction.atomic():
            target.save()
            record_audit(actor=actor, action="health.audience", target=target)
    except IntegrityError:
        raise InvalidInput("That name is taken.", field="name") from None
    return target


@transaction.atomic
def delete_audience(*, actor: Scope, audience: Audience) -> None:
    actor.require(Capability.CONFIGURE)
    if not actor.covers_path(audience.unit_path):
        raise NotFound("No such persona or tier.")
    record_audit(actor=actor, action="health.audience_delete", target=audience)
    audience.delete()
