"""Translations side by side per language, and the thank-you branches.

Every text of a survey is a {locale: text} map; this page lays each one out as a row with a
column per language, so a translator sees the original next to the text they write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.forms import BaseFormSet
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voxloop.errors import DomainError
from voxloop.surveys import selectors, services
from voxloop.surveys.builder.access import editable_survey
from voxloop.surveys.builder.forms import BranchForm, BranchFormSet
from voxloop.surveys.builder.logic import format_value, parse_value, rule_of, single_condition
from voxloop.surveys.models import Question, Survey
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required

SURVEY_PARTS = [
    ("title", gettext_lazy("Survey title")),
    ("intro", gettext_lazy("Introduction")),
    ("thank_you", gettext_lazy("Thank-you message")),
    ("closed", gettext_lazy("Message once closed")),
]
QUESTION_PARTS = [
    ("title", gettext_lazy("Question")),
    ("help", gettext_lazy("Help text")),
    ("low", gettext_lazy("Lowest label")),
    ("high", gettext_lazy("Highest label")),
]


@dataclass
class Row:
    """One translatable text: where it lives in the definition and its value per language."""

    name: str
    label: str
    values: dict[str, str]
    cells: list[tuple[str, str, str]] = field(default_factory=list)  # (input name, locale, text)


def _rows(survey: Survey, questions: list, locales: list[str]) -> list[tuple[str, list[Row]]]:
    groups: list[tuple[str, list[Row]]] = []
    survey_rows = [Row(f"s|{p}", str(lbl), survey.texts.get(p, {})) for p, lbl in SURVEY_PARTS]
    survey_rows.append(
        Row("b|sender_name", _("Sender name"), survey.branding.get("sender_name", {}))
    )
    for index, branch in enumerate(survey.thank_you_branches):
        survey_rows.append(
            Row(f"t|{index}", _("Thank-you branch %d") % (index + 1), branch["text"])
        )
    groups.append((survey.name, survey_rows))
    for q in questions:
        rows = [
            Row(f"q|{q.key}|{p}", str(lbl), q.texts.get(p, {}))
            for p, lbl in QUESTION_PARTS
            if p == "title" or q.texts.get(p)
        ]
        for kind in ("choices", "rows"):
            for option in q.config.get(kind, []):
                rows.append(
                    Row(f"o|{q.key}|{kind}|{option['key']}", option["key"], option.get("label", {}))
                )
        groups.append((q.key, rows))
    for _group, rows in groups:
        for row in rows:
            row.cells = [(f"{row.name}|{loc}", loc, row.values.get(loc, "")) for loc in locales]
    return groups


def _merge(
    current: dict[str, str] | None, post: QueryDict, name: str, locales: list[str]
) -> dict[str, str]:
    updated = dict(current or {})
    for locale in locales:
        value = post.get(f"{name}|{locale}", "").strip()
        if value:
            updated[locale] = value
        else:
            updated.pop(locale, None)
    return updated


def _save(request: ScopedRequest, survey: Survey, questions: list, locales: list[str]) -> None:
    post, scope = request.POST, request.scope
    texts = {p: _merge(survey.texts.get(p, {}), post, f"s|{p}", locales) for p, _l in SURVEY_PARTS}
    branding = dict(survey.branding)
    branding["sender_name"] = _merge(
        branding.get("sender_name", {}), post, "b|sender_name", locales
    )
    branches = [
        {**b, "text": _merge(b["text"], post, f"t|{i}", locales)}
        for i, b in enumerate(survey.thank_you_branches)
    ]
    with transaction.atomic():
        services.update_survey(
            actor=scope,
            survey=survey,
            texts={p: v for p, v in texts.items() if v},
            branding=branding,
            thank_you_branches=branches,
        )
        for q in questions:
            q_texts = {
                p: _merge(q.texts.get(p, {}), post, f"q|{q.key}|{p}", locales)
                for p, _l in QUESTION_PARTS
            }
            config = dict(q.config)
            for kind in ("choices", "rows"):
                if kind in config:
                    config[kind] = [
                        {
                            **o,
                            "label": _merge(
                                o.get("label", {}), post, f"o|{q.key}|{kind}|{o['key']}", locales
                            ),
                        }
                        for o in config[kind]
                    ]
            new_texts = {p: v for p, v in q_texts.items() if v}
            if new_texts != q.texts or config != q.config:
                services.update_question(actor=scope, question=q, texts=new_texts, config=config)


@admin_required
def translations(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    questions = selectors.questions_of(survey)
    locales = survey.locales or [survey.default_locale]
    error = None
    if request.method == "POST":
        try:
            _save(request, survey, questions, locales)
        except DomainError as refused:
            error = refused
            survey.refresh_from_db()
            questions = selectors.questions_of(survey)
        else:
            messages.success(request, _("Translations saved."))
            return redirect("surveys:translations", survey.pk)
    context = {
        "survey": survey,
        "locales": locales,
        "groups": _rows(survey, questions, locales),
        "error": error,
    }
    return render(
        request, "surveys/builder/translations.html", context, status=400 if error else 200
    )


def _branch_initial(survey: Survey) -> list[dict]:
    initial = []
    for branch in survey.thank_you_branches:
        when = single_condition(branch.get("when"))
        initial.append(
            {
                "question": when.get("question", ""),
                "op": when.get("op", "eq"),
                "value": format_value(when.get("value")),
                "text": branch["text"].get(survey.default_locale, ""),
                "link": branch.get("link", ""),
            }
        )
    return initial


def _branches(
    survey: Survey, formset: BaseFormSet[BranchForm], questions: list[Question]
) -> list[dict[str, Any]]:
    by_key = {q.key: q for q in questions}
    old = survey.thank_you_branches
    branches = []
    for index, data in enumerate(f.cleaned_data for f in formset.forms):
        if not data or not data.get("text", "").strip():
            continue  # an emptied message removes the branch
        when = {}
        if data.get("question"):
            op = data.get("op") or "eq"
            when = {"question": data["question"], "op": op}
            if op != "answered":
                when["value"] = parse_value(by_key.get(data["question"]), op, data.get("value", ""))
        before = old[index] if index < len(old) else {}
        text = dict(before.get("text") or {})
        text[survey.default_locale] = data["text"].strip()
        branch = {"when": rule_of(when), "text": text, "link": data.get("link", "").strip()}
        if before.get("link_text"):
            # Not on this form (set through the API or the admin): keep it, do not drop it.
            branch["link_text"] = before["link_text"]
        branches.append(branch)
    return branches


@admin_required
def thank_you(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    questions = selectors.questions_of(survey)
    kwargs = {"questions": questions}
    formset = BranchFormSet(
        request.POST or None, initial=_branch_initial(survey), form_kwargs=kwargs, prefix="branch"
    )
    error = None
    if request.method == "POST" and formset.is_valid():
        try:
            branches = _branches(survey, formset, questions)
            services.update_survey(actor=request.scope, survey=survey, thank_you_branches=branches)
        except DomainError as refused:
            error = refused
        else:
            messages.success(request, _("Thank-you pages saved."))
            return redirect("surveys:edit", survey.pk)
    status = 400 if error or (request.method == "POST" and not formset.is_valid()) else 200
    context = {"survey": survey, "formset": formset, "error": error}
    return render(request, "surveys/builder/thank_you.html", context, status=status)
