"""Builder pages for a survey as a whole: list, create, settings, publish, close, duplicate."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from voxloop.errors import DomainError, NotFound
from voxloop.responses.selectors import response_counts
from voxloop.surveys import selectors, services
from voxloop.surveys.builder.access import editable_survey, editable_surveys
from voxloop.surveys.builder.forms import (
    SURVEY_ALIASES,
    SettingsForm,
    SurveyCreateForm,
    apply_error,
)
from voxloop.surveys.builder.summary import question_rows
from voxloop.surveys.models import Survey
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required

SETTINGS_TEXTS = ("title", "intro", "thank_you", "closed")


@admin_required
def survey_list(request: ScopedRequest) -> HttpResponse:
    surveys = list(editable_surveys(request).select_related("unit"))
    counts = response_counts(request.scope, [s.pk for s in surveys])
    rows = [(survey, counts.get(survey.pk, 0)) for survey in surveys]
    return render(request, "surveys/builder/list.html", {"rows": rows})


@admin_required
def survey_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = SurveyCreateForm(request.POST or None, initial={"default_locale": "en"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["unit_code"]:
                unit = tenancy_selectors.unit_by_code(scope, data["unit_code"].strip())
            else:
                unit = tenancy_selectors.scope_root(scope)
            survey = services.create_survey(
                actor=scope,
                unit=unit,
                name=data["name"],
                kind=data["kind"],
                default_locale=data["default_locale"],
            )
        except NotFound:
            form.add_error(
                "unit_code", _("No unit with this code in your part of the organisation.")
            )
        except DomainError as error:
            apply_error(form, error, SURVEY_ALIASES)
        else:
            messages.success(request, _("Survey created. Now add its questions."))
            return redirect("surveys:edit", survey.pk)
    status = 400 if form.errors else 200
    return render(request, "surveys/builder/create.html", {"form": form}, status=status)


def _settings_initial(survey: Survey) -> dict:
    locale = survey.default_locale
    texts = survey.texts or {}
    branding = survey.branding or {}
    initial = {part: texts.get(part, {}).get(locale, "") for part in SETTINGS_TEXTS}
    initial.update(
        name=survey.name,
        default_locale=locale,
        locales=survey.locales,
        colour=branding.get("colour", "") or "#1a7f5a",
        logo_url=branding.get("logo_url", ""),
        sender_name=(branding.get("sender_name") or {}).get(locale, ""),
        is_primary=survey.is_primary,
        is_test=survey.is_test,
    )
    return initial


def render_edit(
    request: ScopedRequest, survey: Survey, form: SettingsForm | None = None, status: int = 200
) -> HttpResponse:
    questions = selectors.questions_of(survey)
    context = {
        "survey": survey,
        "questions": question_rows(survey, questions),
        "settings_form": form
        or SettingsForm(initial=_settings_initial(survey), languages=survey.locales),
        "public_url": request.build_absolute_uri(f"/s/{survey.public_slug}"),
        "response_count": response_counts(request.scope, [survey.pk]).get(survey.pk, 0),
        "locales": survey.locales or [survey.default_locale],
    }
    return render(request, "surveys/builder/edit.html", context, status=status)


@admin_required
def survey_edit(request: ScopedRequest, survey_id: int) -> HttpResponse:
    return render_edit(request, editable_survey(request, survey_id))


def _localized(current: dict, locale: str, value: str) -> dict:
    """Set one language of a {locale: text} map; an empty value removes that language."""
    updated = dict(current or {})
    if value:
        updated[locale] = value
    else:
        updated.pop(locale, None)
    return updated


@require_POST
@admin_required
def survey_settings(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    form = SettingsForm(request.POST, languages=survey.locales)
    if form.is_valid():
        data = form.cleaned_data
        locale = data["default_locale"]
        texts = dict(survey.texts or {})
        for part in SETTINGS_TEXTS:
            texts[part] = _localized(texts.get(part, {}), locale, data[part].strip())
        branding = dict(survey.branding or {})
        branding.update(colour=data["colour"], logo_url=data["logo_url"].strip())
        branding["sender_name"] = _localized(
            branding.get("sender_name", {}), locale, data["sender_name"].strip()
        )
        try:
            services.update_survey(
                actor=request.scope,
                survey=survey,
                name=data["name"],
                default_locale=locale,
                locales=[locale, *data["locales"]],
                texts={part: value for part, value in texts.items() if value},
                branding=branding,
                is_primary=data["is_primary"],
                is_test=data["is_test"],
            )
        except DomainError as error:
            survey.refresh_from_db()
            apply_error(form, error, SURVEY_ALIASES)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("surveys:edit", survey.pk)
    return render_edit(request, survey, form=form, status=400)


def _lifecycle(
    request: ScopedRequest, survey_id: int, action: Callable[..., Survey], done: str
) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    try:
        result = action(actor=request.scope, survey=survey)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("surveys:edit", survey.pk)
    messages.success(request, done)
    return redirect("surveys:edit", result.pk)


@require_POST
@admin_required
def survey_publish(request: ScopedRequest, survey_id: int) -> HttpResponse:
    return _lifecycle(request, survey_id, services.publish, _("Published: the link is live."))


@require_POST
@admin_required
def survey_close(request: ScopedRequest, survey_id: int) -> HttpResponse:
    if not confirm.given(request):
        survey = editable_survey(request, survey_id)
        n = response_counts(request.scope, [survey.pk]).get(survey.pk, 0)
        lines = [
            ngettext(
                "Its %(n)s response stays, in every figure and export.",
                "Its %(n)s responses stay, in every figure and export.",
                n,
            )
            % {"n": number_format(n, force_grouping=True)},
            _("Its link, QR codes, widgets and campaigns stop taking answers at once."),
            _("A closed survey cannot be opened again; a copy of it can."),
        ]
        return confirm.ask(
            request,
            title=_("Close the survey “%(name)s”?") % {"name": survey.name},
            consequences=lines,
            confirm_label=_("Close the survey"),
            back_url=reverse("surveys:edit", args=[survey.pk]),
        )
    return _lifecycle(request, survey_id, services.close, _("Closed: no new responses."))


@require_POST
@admin_required
def survey_duplicate(request: ScopedRequest, survey_id: int) -> HttpResponse:
    return _lifecycle(request, survey_id, services.duplicate, _("This is the new draft copy."))
