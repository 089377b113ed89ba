"""The live preview: the survey as a respondent reads it, framed phone-sized on the builder."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_sameorigin

from voxloop.surveys import definition, selectors
from voxloop.surveys.builder.access import editable_survey
from voxloop.surveys.builder.summary import SAMPLE_PIPES, preview_items
from voxloop.surveys.respondent.pages import brand_colours
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required


@xframe_options_sameorigin
@admin_required
def preview(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    locale = definition.pick_locale(survey, [request.GET.get("locale", "")])
    texts = survey.texts or {}

    def text(part: str) -> str:
        return definition.piped(
            definition.localized(texts.get(part), locale, survey.default_locale), SAMPLE_PIPES
        )

    context = {
        "survey": survey,
        "locale": locale,
        "title": text("title") or survey.name,
        "intro": text("intro"),
        "items": preview_items(survey, selectors.questions_of(survey), locale),
        # Checked like the respondent pages' colour: it goes into a style block.
        "colour": brand_colours(survey)[0],
        "logo_url": (survey.branding or {}).get("logo_url", ""),
    }
    return render(request, "surveys/builder/preview.html", context)
