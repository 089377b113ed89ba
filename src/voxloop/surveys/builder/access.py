"""Which survey a builder page works on: visible (else 404) and editable by this admin (else 403).

Admins of the unit owning a survey, or of a unit above it, edit it; an admin lower down sees a
company-wide survey in the respondent pages but may not change it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop.errors import Forbidden
from voxloop.surveys import selectors
from voxloop.surveys.models import Survey
from voxloop.tenancy.scoping import ScopedRequest


def editable_survey(request: ScopedRequest, survey_id: int) -> Survey:
    scope = request.scope
    survey = selectors.survey(scope, survey_id)
    if not scope.covers_path(survey.unit_path):
        raise Forbidden("This survey belongs to a unit above yours.")
    return survey


def editable_surveys(request: ScopedRequest) -> QuerySet[Survey]:
    scope = request.scope
    return scope.filter(selectors.visible_surveys(scope), path_field="unit_path")
