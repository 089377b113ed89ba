"""Scoped reads of surveys.

A survey owned by a unit is visible to everyone at that unit, below it (a store manager sees
the company-wide survey, for their store's responses) and above it.
"""

from django.db.models import Q, QuerySet

from voxloop.errors import NotFound
from voxloop.surveys.models import Question, Survey, SurveyStatus
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH, subtree_q
from voxloop.tenancy.scoping import Scope


def _ancestor_paths(path: str) -> list[str]:
    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path) + 1, PATH_SEGMENT_WIDTH)]


def visible_surveys(scope: Scope, status: str = "") -> QuerySet[Survey]:
    surveys = Survey.objects.filter(organization_id=scope.organization_id).filter(
        Q(unit_path__in=_ancestor_paths(scope.unit_path)) | subtree_q(scope.unit_path, "unit_path")
    )
    if status:
        surveys = surveys.filter(status=status)
    return surveys.order_by("name")


def survey(scope: Scope, survey_id: int) -> Survey:
    found = visible_surveys(scope).filter(pk=survey_id).first()
    if found is None:
        raise NotFound("No such survey.")
    return found


def questions_of(survey_obj: Survey) -> list[Question]:
    return list(survey_obj.questions.all())


def live_survey_by_slug(slug: str) -> Survey | None:
    """The public respondent lookup: an unguessable slug, any status (pages explain closed)."""
    return Survey.objects.filter(public_slug=slug).first()


def is_open(survey_obj: Survey) -> bool:
    return survey_obj.status == SurveyStatus.LIVE
