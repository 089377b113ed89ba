"""What an alert rule's extra conditions can be built from, for the condition builder:
scores, the NPS group, words in the comment and the choices of the organisation's surveys."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from voxloop.reviews.models import SourceKind
from voxloop.surveys import definition
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.models import Survey
from voxloop.web import conditions

SCORE_OPS = ["lte", "gte", "lt", "gt", "eq"]


def rule_builder(surveys: Iterable[Survey]) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {"name": "nps", "label": _("NPS (0–10)"), "ops": SCORE_OPS, "input": "number"},
        {"name": "csat", "label": _("CSAT (1–5)"), "ops": SCORE_OPS, "input": "number"},
        {"name": "ces", "label": _("CES (1–7)"), "ops": SCORE_OPS, "input": "number"},
        {"name": "rating", "label": _("Review rating (1–5)"), "ops": SCORE_OPS, "input": "number"},
        {
            "name": "nps_group",
            "label": _("NPS group"),
            "ops": ["eq"],
            "input": "choice",
            "choices": [
                ["promoter", _("Promoter")],
                ["passive", _("Passive")],
                ["detractor", _("Detractor")],
            ],
        },
        {
            "name": "review_source",
            "label": _("Review site"),
            "ops": ["eq"],
            "input": "choice",
            "choices": [[kind, str(label)] for kind, label in SourceKind.choices],
        },
        {"name": "comment", "label": _("Comment"), "ops": ["contains_any"], "input": "words"},
    ]
    seen = set()
    for survey in surveys:
        for question in survey_selectors.questions_of(survey):
            name = f"answer:{question.key}"
            if question.type not in definition.CHOICE_TYPES or name in seen:
                continue
            seen.add(name)
            locale = survey.default_locale
            title = definition.localized(question.texts.get("title"), locale, locale)
            choices = [
                [c["key"], definition.localized(c.get("label"), locale, locale) or c["key"]]
                for c in question.config.get("choices", [])
            ]
            fields.append(
                {
                    "name": name,
                    "label": f"{survey.name}: {title or question.key}",
                    "ops": ["includes"],
                    "input": "choice",
                    "choices": choices,
                }
            )
    return conditions.config(fields, count_url=reverse("closedloop:rule_count"))
