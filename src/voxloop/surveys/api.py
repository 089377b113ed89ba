"""Surveys over the API: the same design, translate and publish operations as the builder."""

from __future__ import annotations

from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Status

from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.errors import InvalidInput, NotFound
from voxloop.surveys import selectors, services, validation
from voxloop.surveys.models import Question, Survey, SurveyKind
from voxloop.surveys.schemas import (
    DuplicateInput,
    QuestionCreate,
    QuestionOut,
    QuestionPatch,
    ReorderInput,
    SurveyCreate,
    SurveyImportOut,
    SurveyOut,
    SurveyPatch,
    SurveySummary,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability
from voxloop.uploads import uploaded_file

router = Router(tags=["surveys"])
ExportFormat = Literal["voxloop", "surveyjs"]


def public_url(survey: Survey) -> str:
    return f"{settings.BASE_URL.rstrip('/')}/s/{survey.public_slug}"


def _summary(survey: Survey) -> dict:
    return {
        "id": survey.pk,
        "name": survey.name,
        "kind": survey.kind,
        "status": survey.status,
        "unit_id": survey.unit_id,
        "public_slug": survey.public_slug,
        "public_url": public_url(survey),
        "default_locale": survey.default_locale,
        "locales": survey.locales,
        "published_at": survey.published_at,
        "closed_at": survey.closed_at,
        "updated_at": survey.updated_at,
        "is_test": survey.is_test,
        "is_primary": survey.is_primary,
    }


def _detail(survey: Survey) -> dict:
    return {
        **_summary(survey),
        "texts": survey.texts,
        "branding": survey.branding,
        "thank_you_branches": survey.thank_you_branches,
        "questions": selectors.questions_of(survey),
    }


def _question(survey: Survey, key: str) -> Question:
    found = next((q for q in selectors.questions_of(survey) if q.key == key), None)
    if found is None:
        raise NotFound(f"No question '{key}' in this survey.", field="key")
    return found


@router.get("/surveys", response=list[SurveySummary], url_name="surveys")
def list_surveys(request: HttpRequest, status: str = ""):
    validation.refuse_nul(status, "status")
    return [_summary(s) for s in selectors.visible_surveys(actor(request), status=status)]


@router.post("/surveys", response={201: SurveyOut}, url_name="survey_create")
def create_survey(request: HttpRequest, payload: SurveyCreate):
    scope = actor(request)
    validation.refuse_nul(payload.unit_code or "", "unit_code")
    unit = tenancy_selectors.unit_named_by(scope, payload.unit_code)
    survey = services.create_survey(
        actor=scope,
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        default_locale=payload.default_locale,
        locales=payload.locales,
        texts=payload.texts,
    )
    return Status(201, _detail(survey))


@router.get("/surveys/{int:survey_id}", response=SurveyOut, url_name="survey")
def get_survey(request: HttpRequest, survey_id: Id):
    return _detail(selectors.survey(actor(request), survey_id))


@router.patch("/surveys/{int:survey_id}", response=SurveyOut, url_name="survey_update")
def update_survey(request: HttpRequest, survey_id: Id, payload: SurveyPatch):
    scope = actor(request)
    survey = selectors.survey(scope, survey_id)
    return _detail(services.update_survey(actor=scope, survey=survey, **payload.changes()))


@router.post(
    "/surveys/{int:survey_id}/questions",
    response={201: QuestionOut},
    url_name="survey_question_create",
)
def add_question(request: HttpRequest, survey_id: Id, payload: QuestionCreate):
    scope = actor(request)
    survey = selectors.survey(scope, survey_id)
    return Status(201, services.add_question(actor=scope, survey=survey, **payload.model_dump()))


@router.patch(
    "/surveys/{int:survey_id}/questions/{key}",
    response=QuestionOut,
    url_name="survey_question_update",
)
def update_question(request: HttpRequest, survey_id: Id, key: str, payload: QuestionPatch):
    scope = actor(request)
    question = _question(selectors.survey(scope, survey_id), key)
    return services.update_question(actor=scope, question=question, **payload.changes())


@router.delete(
    "/surveys/{int:survey_id}/questions/{key}",
    response={204: None},
    url_name="survey_question_delete",
)
def delete_question(request: HttpRequest, survey_id: Id, key: str):
    scope = actor(request)
    services.remove_question(
        actor=scope, question=_question(selectors.survey(scope, survey_id), key)
    )
    return Status(204, None)


@router.post(
    "/surveys/{int:survey_id}/reorder", response=list[QuestionOut], url_name="survey_reorder"
)
def reorder(request: HttpRequest, survey_id: Id, payload: ReorderInput):
    scope = actor(request)
    return services.reorder_questions(
        actor=scope, survey=selectors.survey(scope, survey_id), keys=payload.keys
    )


@router.post("/surveys/{int:survey_id}/publish", response=SurveyOut, url_name="survey_publish")
def publish(request: HttpRequest, survey_id: Id):
    scope = actor(request)
    return _detail(services.publish(actor=scope, survey=selectors.survey(scope, survey_id)))


@router.post("/surveys/{int:survey_id}/close", response=SurveyOut, url_name="survey_close")
def close(request: HttpRequest, survey_id: Id):
    scope = actor(request)
    return _detail(services.close(actor=scope, survey=selectors.survey(scope, survey_id)))


@router.post(
    "/surveys/{int:survey_id}/duplicate",
    response={201: SurveyOut},
    url_name="survey_duplicate",
)
def duplicate(request: HttpRequest, survey_id: Id, payload: DuplicateInput | None = None):
    scope = actor(request)
    name = payload.name if payload else None
    return Status(
        201,
        _detail(
            services.duplicate(actor=scope, survey=selectors.survey(scope, survey_id), name=name)
        ),
    )


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "unit_code": {"type": "string", "maxLength": 64},
                        "kind": {"type": "string", "enum": list(SurveyKind.values)},
                    },
                }
            }
        },
    }
}


@router.post(
    "/surveys/import",
    response={201: SurveyImportOut},
    url_name="survey_import",
    openapi_extra=UPLOAD_BODY,
    summary="Import a survey file as a draft, with a report of what was not carried over",
)
def import_survey(request: HttpRequest) -> Status:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)  # before the upload is read
    filename, content, form = uploaded_file(request)
    code, kind = form.get("unit_code", ""), form.get("kind") or "relationship"
    validation.refuse_nul(code + kind, "unit_code")
    if kind not in SurveyKind.values:
        raise InvalidInput(f"Unknown survey kind; use one of {SurveyKind.values}.", "kind")
    unit = tenancy_selectors.unit_named_by(scope, code)
    imported = services.import_survey(
        actor=scope, unit=unit, filename=filename, content=content, kind=kind
    )
    return Status(201, imported.as_json())


@router.get(
    "/surveys/{int:survey_id}/export",
    response=dict,
    url_name="survey_export",
    summary="The survey as Voxloop JSON (import it again) or SurveyJS JSON",
)
def export_survey(
    request: HttpRequest, survey_id: Id, format: ExportFormat = "voxloop"
) -> dict[str, Any]:
    scope = actor(request)
    return services.export_survey(
        actor=scope, survey=selectors.survey(scope, survey_id), format=format
    )
