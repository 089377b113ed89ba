"""Every write to journeys, stages and touchpoints: admins of the subtree that holds the
journey's owner, checked and audited here. A touchpoint's measure is checked through the
owning apps' selectors (a survey or its question, a review source, an interaction type the
admin can see)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import EllipsisType
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction

from voxloop.contacts import selectors as contact_selectors
from voxloop.errors import InvalidInput, NotFound
from voxloop.journeys.models import Journey, MeasureKind, Stage, Touchpoint
from voxloop.reviews import selectors as review_selectors
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

# The question types a touchpoint can be measured by: each is one of the engine's metrics.
MEASURED_TYPES = {"nps": "nps", "csat": "csat", "ces": "ces"}
MAX_STAGES, MAX_TOUCHPOINTS = 20, 30
Row = TypeVar("Row")


def shipped_locales() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def _require_editor(scope: Scope, journey: Journey) -> None:
    scope.require(Capability.CONFIGURE)
    if not scope.covers_path(journey.unit_path):
        raise NotFound("No such journey.", field="journey")


def _clean_name(name: str, field: str = "name") -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidInput("A name is required.", field=field)
    if len(name) > 120:
        raise InvalidInput("A name can have at most 120 characters.", field=field)
    return name


def _clean_names(names: dict[str, str] | None, field: str = "names") -> dict[str, str]:
    out = {}
    for locale, text in (names or {}).items():
        if locale not in shipped_locales():
            raise InvalidInput(
                f"Unknown language '{str(locale)[:12]}': use one of "
                f"{', '.join(shipped_locales())}.",
                field=f"{field}.{str(locale)[:12]}",
            )
        text = str(text or "").strip()
        if len(text) > 120:
            raise InvalidInput("A name can have at most 120 characters.", f"{field}.{locale}")
        if text:
            out[locale] = text
    return out


def _segment_id(scope: Scope, segment_id: int | None) -> int | None:
    if segment_id is None:
        return None
    return contact_selectors.segment(scope, segment_id).pk


def _relationship_survey(scope: Scope, survey_id: int | None) -> Any:
    if survey_id is None:
        return None
    found = survey_selectors.survey(scope, survey_id)
    if found.is_anonymous:
        raise InvalidInput("An anonymous survey cannot be read per customer.", "survey")
    return found


def create_journey(
    *,
    scope: Scope,
    unit: OrgUnit,
    name: str,
    names: dict[str, str] | None = None,
    description: str = "",
    segment_id: int | None = None,
    variant_of: Journey | None = None,
    relationship_survey_id: int | None = None,
) -> Journey:
    scope.require(Capability.CONFIGURE)
    if not scope.covers(unit):
        raise NotFound("No such org unit.", field="unit")
    if variant_of is not None and variant_of.organization_id != scope.organization_id:
        raise NotFound("No such journey.", field="variant_of")
    with transaction.atomic():
        journey = Journey.objects.create(
            organization_id=scope.organization_id,
            unit=unit,
            unit_path=unit.path,
            name=_clean_name(name),
            names=_clean_names(names),
            description=(description or "").strip()[:2000],
            segment_id=_segment_id(scope, segment_id),
            variant_of=variant_of,
            relationship_survey=_relationship_survey(scope, relationship_survey_id),
        )
        record_audit(actor=scope, action="journey.create", target=journey, changes={"name": name})
    return journey


def update_journey(
    *,
    scope: Scope,
    journey: Journey,
    name: str | None = None,
    names: dict[str, str] | None = None,
    description: str | None = None,
    segment_id: int | EllipsisType | None = ...,
    relationship_survey_id: int | EllipsisType | None = ...,
) -> Journey:
    """Change what is given (`...`: leave as is; None for the segment or survey: clear it)."""
    _require_editor(scope, journey)
    changes: dict[str, Any] = {}
    if name is not None:
        journey.name = changes["name"] = _clean_name(name)
    if names is not None:
        journey.names = changes["names"] = _clean_names(names)
    if description is not None:
        journey.description = changes["description"] = description.strip()[:2000]
    if segment_id is not ...:
        journey.segment_id = changes["segment_id"] = _segment_id(scope, segment_id)
    if relationship_survey_id is not ...:
        found = _relationship_survey(scope, relationship_survey_id)
        journey.relationship_survey = found
        changes["relationship_survey_id"] = found.pk if found else None
    with transaction.atomic():
        journey.save()
        record_audit(actor=scope, action="journey.update", target=journey, changes=changes)
    return journey


def delete_journey(*, scope: Scope, journey: Journey) -> None:
    _require_editor(scope, journey)
    with transaction.atomic():
        record_audit(
            actor=scope, action="journey.delete", target=journey, changes={"name": journey.name}
        )
        journey.delete()


# --- stages ----------------------------------------------------------------------------------


def add_stage(
    *, scope: Scope, journey: Journey, name: str, names: dict[str, str] | None = None
) -> Stage:
    _require_editor(scope, journey)
    count = Stage.objects.filter(journey=journey).count()
    if count >= MAX_STAGES:
        raise InvalidInput(f"A journey has at most {MAX_STAGES} stages.", field="name")
    with transaction.atomic():
        stage = Stage.objects.create(
            journey=journey, name=_clean_name(name), names=_clean_names(names), position=count
        )
        _touched(scope, journey, "journey.stage_add", {"stage": stage.name})
    return stage


def update_stage(
    *, scope: Scope, stage: Stage, name: str | None = None, names: dict[str, str] | None = None
) -> Stage:
    _require_editor(scope, stage.journey)
    if name is not None:
        stage.name = _clean_name(name)
    if names is not None:
        stage.names = _clean_names(names)
    with transaction.atomic():
        stage.save()
        _touched(scope, stage.journey, "journey.stage_update", {"stage": stage.name})
    return stage


def delete_stage(*, scope: Scope, stage: Stage) -> None:
    journey = stage.journey
    _require_editor(scope, journey)
    with transaction.atomic():
        stage.delete()
        _renumber(list(Stage.objects.filter(journey=journey)))
        _touched(scope, journey, "journey.stage_delete", {"stage": stage.name})


def reorder_stages(*, scope: Scope, journey: Journey, stage_ids: list[int]) -> None:
    """Put the journey's stages in this order (every stage, each once)."""
    _require_editor(scope, journey)
    stages = {s.pk: s for s in Stage.objects.filter(journey=journey)}
    if sorted(stage_ids) != sorted(stages):
        raise InvalidInput("Name every stage of the journey once.", field="order")
    with transaction.atomic():
        _renumber([stages[i] for i in stage_ids])
        _touched(scope, journey, "journey.reorder", {"stages": stage_ids})


def move_stage(*, scope: Scope, stage: Stage, step: int) -> None:
    """One place up (step -1) or down (+1): the editor's buttons without JavaScript."""
    ids = list(Stage.objects.filter(journey=stage.journey).values_list("pk", flat=True))
    reorder_stages(scope=scope, journey=stage.journey, stage_ids=_moved(ids, stage.pk, step))


# --- touchpoints -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """What a touchpoint is tied to: an interaction type (its volume) and how the experience
    is measured (a survey, one of its questions, or a review source)."""

    interaction_type_id: int | None = None
    measure: str = ""
    survey_id: int | None = None
    question_key: str = ""
    review_source_id: int | None = None


def _checked(scope: Scope, m: Measure) -> dict[str, Any]:
    """The touchpoint's columns from a measure, each part checked in the admin's scope."""
    out: dict[str, Any] = {
        "interaction_type": None,
        "measure": m.measure,
        "survey": None,
        "question_key": "",
        "review_source": None,
    }
    if m.interaction_type_id is not None:
        out["interaction_type"] = _found(
            lambda: contact_selectors.interaction_type(scope, m.interaction_type_id or 0),
            "interaction_type_id",
        )
    if m.measure not in MeasureKind.values:
        raise InvalidInput(
            f"'measure' must be one of {', '.join(v or '(none)' for v in MeasureKind.values)}.",
            field="measure",
        )
    if m.measure in (MeasureKind.SURVEY, MeasureKind.QUESTION):
        if m.survey_id is None:
            raise InvalidInput("Choose the survey that measures this touchpoint.", "survey_id")
        survey_id = m.survey_id
        found = _found(lambda: survey_selectors.survey(scope, survey_id), "survey_id")
        if found.is_anonymous:
            raise InvalidInput(
                "An anonymous (employee) survey cannot measure a customer touchpoint.",
                field="survey_id",
            )
        out["survey"] = found
        if m.measure == MeasureKind.QUESTION:
            types = {q.key: q.type for q in survey_selectors.questions_of(found)}
            if types.get(m.question_key) not in MEASURED_TYPES:
                raise InvalidInput(
                    "Choose an NPS, CSAT or CES question of the survey.", field="question_key"
                )
            out["question_key"] = m.question_key
    elif m.measure == MeasureKind.REVIEWS:
        if m.review_source_id is None:
            raise InvalidInput("Choose the review source.", field="review_source_id")
        source_id = m.review_source_id
        out["review_source"] = _found(
            lambda: review_selectors.source(scope, source_id), "review_source_id"
        )
    if out["interaction_type"] is None and not m.measure:
        raise InvalidInput(
            "Tie the touchpoint to an interaction type, a measure, or both.", field="measure"
        )
    return out


def _found(read: Callable[[], Row], field: str) -> Row:
    """What an owning app's selector finds, its "not found" naming the touchpoint's field."""
    try:
        return read()
    except NotFound as error:
        raise NotFound(error.message, field=field) from None


def add_touchpoint(
    *,
    scope: Scope,
    stage: Stage,
    name: str,
    measure: Measure,
    names: dict[str, str] | None = None,
) -> Touchpoint:
    _require_editor(scope, stage.journey)
    count = Touchpoint.objects.filter(stage=stage).count()
    if count >= MAX_TOUCHPOINTS:
        raise InvalidInput(f"A stage has at most {MAX_TOUCHPOINTS} touchpoints.", field="name")
    columns = _checked(scope, measure)
    with transaction.atomic():
        found = Touchpoint.objects.create(
            stage=stage,
            name=_clean_name(name),
            names=_clean_names(names),
            position=count,
            **columns,
        )
        _touched(scope, stage.journey, "journey.touchpoint_add", {"touchpoint": found.name})
    return found


def update_touchpoint(
    *,
    scope: Scope,
    touchpoint: Touchpoint,
    name: str | None = None,
    names: dict[str, str] | None = None,
    measure: Measure | None = None,
    stage: Stage | None = None,
) -> Touchpoint:
    """Rename, re-measure, or move to another stage of the same journey (placed last)."""
    journey = touchpoint.stage.journey
    _require_editor(scope, journey)
    if name is not None:
        touchpoint.name = _clean_name(name)
    if names is not None:
        touchpoint.names = _clean_names(names)
    if measure is not None:
        for column, value in _checked(scope, measure).items():
            setattr(touchpoint, column, value)
    with transaction.atomic():
        if stage is not None and stage.pk != touchpoint.stage_id:
            if stage.journey_id != journey.pk:
                raise NotFound("No such stage.", field="stage")
            touchpoint.stage = stage
            touchpoint.position = Touchpoint.objects.filter(stage=stage).count()
        touchpoint.save()
        _touched(scope, journey, "journey.touchpoint_update", {"touchpoint": touchpoint.name})
    return touchpoint


def delete_touchpoint(*, scope: Scope, touchpoint: Touchpoint) -> None:
    stage = touchpoint.stage
    _require_editor(scope, stage.journey)
    with transaction.atomic():
        touchpoint.delete()
        _renumber(list(Touchpoint.objects.filter(stage=stage)))
        _touched(scope, stage.journey, "journey.touchpoint_delete", {"touchpoint": touchpoint.name})


def reorder_touchpoints(*, scope: Scope, stage: Stage, touchpoint_ids: list[int]) -> None:
    _require_editor(scope, stage.journey)
    found = {t.pk: t for t in Touchpoint.objects.filter(stage=stage)}
    if sorted(touchpoint_ids) != sorted(found):
        raise InvalidInput("Name every touchpoint of the stage once.", field="order")
    with transaction.atomic():
        _renumber([found[i] for i in touchpoint_ids])
        _touched(scope, stage.journey, "journey.reorder", {"touchpoints": touchpoint_ids})


def move_touchpoint(*, scope: Scope, touchpoint: Touchpoint, step: int) -> None:
    ids = list(Touchpoint.objects.filter(stage=touchpoint.stage).values_list("pk", flat=True))
    reorder_touchpoints(
        scope=scope, stage=touchpoint.stage, touchpoint_ids=_moved(ids, touchpoint.pk, step)
    )


# --- helpers ---------------------------------------------------------------------------------


def _moved(ids: list[int], pk: int, step: int) -> list[int]:
    at = ids.index(pk)
    to = max(0, min(len(ids) - 1, at + (1 if step > 0 else -1)))
    ids.insert(to, ids.pop(at))
    return ids


def _renumber(rows: list[Any]) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])


def _touched(scope: Scope, journey: Journey, action: str, changes: dict[str, Any]) -> None:
    journey.save(update_fields=["updated_at"])
    record_audit(actor=scope, action=action, target=journey, changes=changes)


@dataclass(frozen=True)
class TouchpointSpec:
    name: str
    measure: Measure
    names: dict[str, str] | None = None


@dataclass(frozen=True)
class StageSpec:
    name: str
    touchpoints: list[TouchpointSpec]
    names: dict[str, str] | None = None


def set_stages(*, scope: Scope, journey: Journey, stages: list[StageSpec]) -> Journey:
    """Replace the journey's stages and touchpoints with these, in this order (the API's
    whole-definition writes); every measure is checked before anything changes."""
    _require_editor(scope, journey)
    if len(stages) > MAX_STAGES:
        raise InvalidInput(f"A journey has at most {MAX_STAGES} stages.", field="stages")
    checked = []
    for i, spec in enumerate(stages):
        where = f"stages.{i}"
        if len(spec.touchpoints) > MAX_TOUCHPOINTS:
            raise InvalidInput(
                f"A stage has at most {MAX_TOUCHPOINTS} touchpoints.", f"{where}.touchpoints"
            )
        tps = []
        for j, tp in enumerate(spec.touchpoints):
            at = f"{where}.touchpoints.{j}"
            try:
                columns = _checked(scope, tp.measure)
            except (InvalidInput, NotFound) as error:
                raise type(error)(error.message, field=f"{at}.{error.field or 'measure'}") from None
            tps.append(
                (_clean_name(tp.name, f"{at}.name"), _clean_names(tp.names, f"{at}.names"), columns)
            )
        checked.append((_clean_name(spec.name, f"{where}.name"), _clean_names(spec.names), tps))
    with transaction.atomic():
        Stage.objects.filter(journey=journey).delete()
        for position, (name, names, tps) in enumerate(checked):
            stage = Stage.objects.create(journey=journey, name=name, names=names, position=position)
            Touchpoint.objects.bulk_create(
                Touchpoint(stage=stage, name=n, names=ns, position=p, **columns)
                for p, (n, ns, columns) in enumerate(tps)
            )
        _touched(scope, journey, "journey.define", {"stages": [c[0] for c in checked]})
    return journey
