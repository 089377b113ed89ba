"""Builder pages for questions: add, edit (type settings, logic), move up or down, delete."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from voxloop.errors import DomainError, NotFound
from voxloop.responses.selectors import answered_count, shown_count
from voxloop.surveys import definition, selectors, services, validation
from voxloop.surveys.builder import logic
from voxloop.surveys.builder.access import editable_survey
from voxloop.surveys.builder.forms import (
    QUESTION_ALIASES,
    QuestionForm,
    apply_error,
    format_options,
    parse_options,
)
from voxloop.surveys.builder.logic import format_value, parse_value
from voxloop.surveys.models import Question, Survey
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required

TEXT_PARTS = ("title", "help", "low", "high")


def _question(survey: Survey, key: str) -> Question:
    found = next((q for q in selectors.questions_of(survey) if q.key == key), None)
    if found is None:
        raise NotFound("No such question.")
    return found


def _options(text: str, previous: list[dict], locale: str) -> list[dict]:
    """Parsed options, keeping the labels other languages already have for the same key."""
    labels = {o["key"]: dict(o.get("label", {})) for o in previous}
    return [
        {"key": key, "label": {**labels.get(key, {}), locale: label}}
        for key, label in parse_options(text)
    ]


def question_fields(
    data: dict[str, Any], survey: Survey, question: Question | None, earlier: list[Question]
) -> dict[str, Any]:
    """The service's arguments from the form: texts in the default language merged in."""
    locale, kind = survey.default_locale, data["type"]
    texts = {part: dict(v) for part, v in (question.texts if question else {}).items()}
    for part in TEXT_PARTS:
        value = (data.get(part) or "").strip()
        texts.setdefault(part, {})
        if value:
            texts[part][locale] = value
        else:
            texts[part].pop(locale, None)
    old = question.config if question else {}
    config: dict = {}
    if kind in ("rating", "matrix"):
        config["scale"] = data.get("scale") or 5
    if kind == "rating":
        config["style"] = data.get("style") or "numbers"
    if kind in definition.CHOICE_TYPES:
        config["choices"] = _options(data.get("choices", ""), old.get("choices", []), locale)
        config["allow_other"] = bool(data.get("allow_other"))
    if kind == "matrix":
        config["rows"] = _options(data.get("rows", ""), old.get("rows", []), locale)
    config.update(_value_config(kind, data))
    show_if: dict = {}
    if (data.get("logic") or "").strip():
        show_if = logic.rule_of_tree(data["logic"])
    elif data.get("logic_question"):
        target = next((q for q in earlier if q.key == data["logic_question"]), None)
        op = data.get("logic_op") or "eq"
        condition = {"question": data["logic_question"], "op": op}
        if op != "answered":
            condition["value"] = parse_value(target, op, data.get("logic_value", ""))
        show_if = {"all": [condition]}
    return {
        "type": kind,
        "texts": {part: v for part, v in texts.items() if v},
        "config": config,
        "required": bool(data.get("required")),
        "show_if": show_if,
    }


def _value_config(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A number's limits, whole-number switch and unit; a date's earliest and latest."""

    def whole(value: float | None) -> float | int | None:
        return int(value) if value is not None and float(value).is_integer() else value

    if kind == "number":
        bounds = {"min": whole(data.get("minimum")), "max": whole(data.get("maximum"))}
        config: dict[str, Any] = {k: value for k, value in bounds.items() if value is not None}
        config["integer"] = bool(data.get("integer"))
        config["unit"] = (data.get("unit") or "").strip()
        return config
    if kind == "date":
        days = {"earliest": data.get("earliest"), "latest": data.get("latest")}
        return {bound: day.isoformat() for bound, day in days.items() if day}
    return {}


def _initial(survey: Survey, q: Question) -> dict:
    locale = survey.default_locale
    initial = {part: q.texts.get(part, {}).get(locale, "") for part in TEXT_PARTS}
    initial.update(
        key=q.key,
        type=q.type,
        required=q.required,
        scale=q.config.get("scale"),
        style=q.config.get("style", "numbers"),
        choices=format_options(q.config.get("choices", []), locale),
        allow_other=q.config.get("allow_other", False),
        rows=format_options(q.config.get("rows", []), locale),
        minimum=q.config.get("min"),
        maximum=q.config.get("max"),
        integer=q.config.get("integer", False),
        unit=q.config.get("unit", ""),
        earliest=q.config.get("earliest"),
        latest=q.config.get("latest"),
    )
    initial["logic"] = json.dumps(logic.tree_of_rule(q.show_if), ensure_ascii=False)
    conditions: list[Any] = next(iter(q.show_if.values()), []) if q.show_if else []
    if conditions:
        first = conditions[0]
        initial.update(
            logic_question=first.get("question"),
            logic_op=first.get("op", "eq"),
            logic_value=format_value(first.get("value")),
        )
    return initial


def _page(
    request: HttpRequest,
    survey: Survey,
    form: QuestionForm,
    question: Question | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = selectors.questions_of(survey)
    earlier = [q for q in questions if question is None or q.position < question.position]
    count_url = reverse("surveys:logic_count", args=[survey.pk])
    context = {
        "survey": survey,
        "form": form,
        "question": question,
        "builder": logic.builder_config(survey, earlier, count_url) if earlier else None,
    }
    return render(request, "surveys/builder/question.html", context, status=status)


@admin_required
def question_add(request: ScopedRequest, survey_id: int) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    earlier = selectors.questions_of(survey)
    form = QuestionForm(request.POST or None, earlier=earlier, initial={"type": "nps"})
    if request.method == "POST" and form.is_valid():
        try:
            fields = question_fields(form.cleaned_data, survey, None, earlier)
            services.add_question(
                actor=request.scope, survey=survey, key=form.cleaned_data["key"], **fields
            )
        except DomainError as error:
            apply_error(form, error, QUESTION_ALIASES)
        else:
            messages.success(request, _("Question added."))
            return redirect("surveys:edit", survey.pk)
    return _page(request, survey, form, status=400 if form.errors else 200)


@admin_required
def question_edit(request: ScopedRequest, survey_id: int, key: str) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    question = _question(survey, key)
    earlier = [q for q in selectors.questions_of(survey) if q.position < question.position]
    form = QuestionForm(
        request.POST or None,
        initial=_initial(survey, question),
        earlier=earlier,
        editing=True,
        type_locked=bool(survey.published_at),
    )
    if request.method == "POST" and form.is_valid():
        try:
            fields = question_fields(form.cleaned_data, survey, question, earlier)
            services.update_question(actor=request.scope, question=question, **fields)
        except DomainError as error:
            question.refresh_from_db()
            apply_error(form, error, QUESTION_ALIASES)
        else:
            messages.success(request, _("Question saved."))
            return redirect("surveys:edit", survey.pk)
    return _page(request, survey, form, question, status=400 if form.errors else 200)


EMPTY = '{"match": "all", "items": []}'


@require_GET
@admin_required
def logic_count(request: ScopedRequest, survey_id: int) -> JsonResponse:
    """The builder's live count: of the survey's latest responses, how many would have seen
    a question shown under these conditions."""
    survey = editable_survey(request, survey_id)
    earlier = {q.key: q for q in selectors.questions_of(survey)}
    try:
        rule = validation.check_show_if(logic.rule_of_tree(request.GET.get("conditions") or EMPTY),
                                        earlier)  # fmt: skip
    except DomainError as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=400)
    seen, total = shown_count(request.scope, survey.pk, rule)
    text = ngettext(
        "%(seen)s of the last %(total)s response would have seen it.",
        "%(seen)s of the last %(total)s responses would have seen it.",
        total,
    ) % {
        "seen": number_format(seen, force_grouping=True),
        "total": number_format(total, force_grouping=True),
    }
    return JsonResponse({"count": seen, "of": total, "text": text})


@require_POST
@admin_required
def question_move(request: ScopedRequest, survey_id: int, key: str) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    keys = [q.key for q in selectors.questions_of(survey)]
    if key not in keys:
        raise NotFound("No such question.")
    index = keys.index(key)
    target = index - 1 if request.POST.get("direction") == "up" else index + 1
    if 0 <= target < len(keys):
        keys[index], keys[target] = keys[target], keys[index]
        try:
            services.reorder_questions(actor=request.scope, survey=survey, keys=keys)
        except DomainError:
            messages.error(
                request, _("A question can only depend on questions before it; move that first.")
            )
    return redirect(reverse("surveys:edit", args=[survey.pk]) + f"#question-{key}")


def _confirm_delete(request: ScopedRequest, survey: Survey, question: Question) -> HttpResponse:
    n = answered_count(request.scope, survey.pk, question.key)
    shown = number_format(n, force_grouping=True)
    lines = [
        ngettext(
            "%(n)s response keeps its answer to it; the question disappears from new responses.",
            "%(n)s responses keep their answers to it; the question disappears from new responses.",
            n,
        )
        % {"n": shown},
    ]
    if survey.status == "live":
        lines.append(_("The survey is live: respondents stop seeing the question at once."))
    title = definition.localized(question.texts.get("title"), survey.default_locale, "")
    return confirm.ask(
        request,
        title=_("Delete the question “%(title)s”?") % {"title": title or question.key},
        consequences=lines,
        confirm_label=_("Delete the question"),
        back_url=reverse("surveys:edit", args=[survey.pk]) + f"#question-{question.key}",
    )


@require_POST
@admin_required
def question_delete(request: ScopedRequest, survey_id: int, key: str) -> HttpResponse:
    survey = editable_survey(request, survey_id)
    if not confirm.given(request):
        return _confirm_delete(request, survey, _question(survey, key))
    try:
        services.remove_question(actor=request.scope, question=_question(survey, key))
    except NotFound:
        raise
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Question deleted."))
    return redirect("surveys:edit", survey.pk)
