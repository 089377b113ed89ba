"""Pages to import a survey file (and see what could not be carried over) and to load a file
of past responses into a survey (and see the row report)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from voxloop.errors import DomainError, NotFound
from voxloop.responses import services as response_services
from voxloop.surveys import services
from voxloop.surveys.builder.access import editable_survey
from voxloop.surveys.builder.forms import ResponsesImportForm, SurveyImportForm
from voxloop.surveys.importing.reasons import reason_text
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Scope, ScopedRequest
from voxloop.uploads import MAX_UPLOAD
from voxloop.web.access import admin_required


def _scope(request: ScopedRequest) -> Scope:
    scope: Scope = getattr(request, "scope")  # noqa: B009 - set by tenancy's middleware
    return scope


def _content(form: SurveyImportForm | ResponsesImportForm) -> bytes | None:
    upload = form.cleaned_data["file"]
    if upload.size is None or upload.size > MAX_UPLOAD:
        form.add_error(
            "file", _("The file is larger than %(mb)s MB.") % {"mb": MAX_UPLOAD // 2**20}
        )
        return None
    return upload.read()


@admin_required
def survey_import(request: ScopedRequest) -> HttpResponse:
    scope = _scope(request)
    form = SurveyImportForm(request.POST or None, request.FILES or None)
    imported = None
    if request.method == "POST" and form.is_valid():
        content = _content(form)
        try:
            code = form.cleaned_data["unit_code"].strip()
            unit = tenancy_selectors.unit_by_code(scope, code) if code else None
            unit = unit or tenancy_selectors.scope_root(scope)
            if content is not None:
                imported = services.import_survey(
                    actor=scope,
                    unit=unit,
                    filename=form.cleaned_data["file"].name,
                    content=content,
                    kind=form.cleaned_data["kind"],
                )
        except NotFound:
            form.add_error(
                "unit_code", _("No unit with this code in your part of the organisation.")
            )
        except DomainError as error:
            form.add_error("file" if error.field in ("file", None, "") else None, error.message)
    status = 400 if form.errors else 200
    summary = imported.as_json() if imported else None
    if summary:
        # The reasons in the reader's language (the CLI and API keep them in English).
        summary["report"] = [{**e, "why": reason_text(e)} for e in summary["report"]]
    context = {"form": form, "imported": imported, "summary": summary}
    return render(request, "surveys/builder/import.html", context, status=status)


@admin_required
def responses_import(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    form = ResponsesImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        content = _content(form)
        try:
            if content is not None:
                report = response_services.import_response_file(
                    actor=_scope(request),
                    survey=survey,
                    filename=form.cleaned_data["file"].name,
                    content=content,
                ).as_json()
        except DomainError as error:
            form.add_error("file", error.message)
    status = 400 if form.errors else 200
    context = {"form": form, "survey": survey, "report": report}
    return render(request, "surveys/builder/import_responses.html", context, status=status)
