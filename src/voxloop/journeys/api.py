"""Journeys over the API: the definitions (CRUD, stages and touchpoints written whole) and
the map's figures and journey analytics, under the caller's scope like the pages."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import page
from voxloop.api.schemas import Id, PageQuery
from voxloop.journeys import figures, insights, selectors, services
from voxloop.journeys.models import Journey
from voxloop.journeys.schemas import (
    InsightsOut,
    JourneyIn,
    JourneyOut,
    JourneyPatch,
    MapOut,
    MapQuery,
    StageIn,
)
from voxloop.journeys.services import Measure, StageSpec, TouchpointSpec
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability

router = Router(tags=["journeys"])


def journey_out(j: Journey) -> dict[str, Any]:
    return {
        "id": j.pk,
        "name": j.name,
        "names": j.names,
        "description": j.description,
        "unit_id": j.unit_id,
        "segment_id": j.segment_id,
        "variant_of": j.variant_of_id,
        "relationship_survey_id": j.relationship_survey_id,
        "updated_at": j.updated_at,
        "stages": [
            {
                "id": s.pk,
                "name": s.name,
                "names": s.names,
                "position": s.position,
                "touchpoints": [
                    {
                        "id": t.pk,
                        "name": t.name,
                        "names": t.names,
                        "position": t.position,
                        "interaction_type_id": t.interaction_type_id,
                        "measure": t.measure,
                        "survey_id": t.survey_id,
                        "question_key": t.question_key,
                        "review_source_id": t.review_source_id,
                    }
                    for t in s.touchpoints.all()
                ],
            }
            for s in j.stages.all()
        ],
    }


def _specs(stages: list[StageIn]) -> list[StageSpec]:
    return [
        StageSpec(
            name=s.name,
            names=s.names,
            touchpoints=[
                TouchpointSpec(
                    name=t.name,
                    names=t.names,
                    measure=Measure(
                        interaction_type_id=t.interaction_type_id,
                        measure=t.measure,
                        survey_id=t.survey_id,
                        question_key=t.question_key,
                        review_source_id=t.review_source_id,
                    ),
                )
                for t in s.touchpoints
            ],
        )
        for s in stages
    ]


@router.get("/journeys", response=dict, url_name="journeys")
def list_journeys(request: HttpRequest, query: Query[PageQuery]) -> dict:
    scope = actor(request)
    journeys = selectors.visible_journeys(scope).prefetch_related("stages__touchpoints")
    return page(journeys.order_by("id"), query, journey_out, request)


@router.post("/journeys", response={201: JourneyOut}, url_name="journey_create")
def create_journey(request: HttpRequest, payload: JourneyIn) -> Status:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = (
        tenancy_selectors.unit_named_by(scope, payload.unit_code, "unit_code")
        if payload.unit_code
        else tenancy_selectors.scope_root(scope)
    )
    base = selectors.journey(scope, payload.variant_of) if payload.variant_of else None
    with transaction.atomic():
        journey = services.create_journey(
            scope=scope,
            unit=unit,
            name=payload.name,
            names=payload.names,
            description=payload.description,
            segment_id=payload.segment_id,
            variant_of=base,
            relationship_survey_id=payload.relationship_survey_id,
        )
        if payload.stages:
            services.set_stages(scope=scope, journey=journey, stages=_specs(payload.stages))
    return Status(201, journey_out(selectors.journey(scope, journey.pk)))


@router.get("/journeys/{int:journey_id}", response=JourneyOut, url_name="journey")
def get_journey(request: HttpRequest, journey_id: Id) -> dict:
    return journey_out(selectors.journey(actor(request), journey_id))


@router.patch("/journeys/{int:journey_id}", response=JourneyOut, url_name="journey_update")
def update_journey(request: HttpRequest, journey_id: Id, payload: JourneyPatch) -> dict:
    scope = actor(request)
    journey = selectors.journey(scope, journey_id)
    given = payload.model_dump(exclude_unset=True)
    with transaction.atomic():
        changes: dict[str, Any] = {
            k: given[k] for k in ("name", "names", "description") if k in given
        }
        for key in ("segment_id", "relationship_survey_id"):
            if key in given:
                changes[key] = given[key] or None
        services.update_journey(scope=scope, journey=journey, **changes)
        if payload.stages is not None:
            services.set_stages(scope=scope, journey=journey, stages=_specs(payload.stages))
    return journey_out(selectors.journey(scope, journey_id))


@router.delete("/journeys/{int:journey_id}", response={204: None}, url_name="journey_delete")
def delete_journey(request: HttpRequest, journey_id: Id) -> Status:
    scope = actor(request)
    services.delete_journey(scope=scope, journey=selectors.journey(scope, journey_id))
    return Status(204, None)


@router.get("/journeys/{int:journey_id}/map", response=MapOut, url_name="journey_map")
def journey_map(request: HttpRequest, journey_id: Id, query: Query[MapQuery]) -> dict:
    """Per stage and touchpoint: volume, response rate, NPS/CSAT/CES with interval, change
    and p-value, sentiment, top themes, open cases and the status that colours the map."""
    scope = actor(request)
    return figures.journey_map(scope, selectors.journey(scope, journey_id), query.params())


@router.get(
    "/journeys/{int:journey_id}/analytics", response=InsightsOut, url_name="journey_analytics"
)
def journey_analytics(request: HttpRequest, journey_id: Id, query: Query[MapQuery]) -> dict:
    """Which touchpoints predict relationship NPS and churn; the stage funnel and times."""
    scope = actor(request)
    return insights.journey_insights(scope, selectors.journey(scope, journey_id), query.params())
