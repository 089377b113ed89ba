"""A draft becomes a survey through the builder's own services, question by question: what
they refuse is reported, never half-saved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from voxloop.errors import DomainError
from voxloop.surveys.importing.common import Draft
from voxloop.surveys.importing.reasons import REFUSED
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit


@dataclass
class Imported:
    survey: Survey
    draft: Draft

    def as_json(self) -> dict[str, Any]:
        return {
            "survey_id": self.survey.pk,
            "name": self.survey.name,
            "format": self.draft.format,
            "status": self.survey.status,
            "languages": self.draft.languages,
            "locales": self.survey.locales,
            "questions": [
                {"key": q.key, "type": q.type, "source": q.config.get("source", "")}
                for q in self.survey.questions.order_by("position")
            ],
            "report": self.draft.report.entries,
        }


def save(actor: Scope, unit: OrgUnit, draft: Draft, kind: str = "relationship") -> Imported:
    from voxloop.surveys import services

    with transaction.atomic():
        survey = services.create_survey(
            actor=actor,
            unit=unit,
            name=draft.name[:200] or "Imported survey",
            kind=kind,
            default_locale=draft.default_locale,
            locales=draft.locales,
            texts={k: v for k, v in draft.texts.items() if v},
        )
        added: set[str] = set()
        for question in draft.questions:
            texts = {part: by for part, by in question.texts.items() if by}
            texts.setdefault("title", {draft.default_locale: question.key})
            rule = _known(question.show_if, added)
            try:
                with transaction.atomic():
                    services.add_question(
                        actor=actor,
                        survey=survey,
                        key=question.key,
                        type=question.type,
                        texts=texts,
                        config=question.config,
                        required=question.required,
                        show_if=rule,
                    )
            except DomainError as error:
                if rule:
                    try:
                        with transaction.atomic():
                            services.add_question(
                                actor=actor,
                                survey=survey,
                                key=question.key,
                                type=question.type,
                                texts=texts,
                                config=question.config,
                                required=question.required,
                            )
                        draft.report.drop(
                            question.source,
                            question.key,
                            "display logic",
                            REFUSED,
                            message=error.message,
                        )
                        added.add(question.key)
                        continue
                    except DomainError as second:
                        error = second
                draft.report.drop(
                    question.source, question.key, "the question", REFUSED, message=error.message
                )
                continue
            added.add(question.key)
            if question.show_if and not rule:
                draft.report.drop(
                    question.source,
                    question.key,
                    "display logic",
                    "it looks at a question that was not imported",
                )
        if draft.thank_you_branches:
            try:
                with transaction.atomic():
                    services.update_survey(
                        actor=actor, survey=survey, thank_you_branches=draft.thank_you_branches
                    )
            except DomainError as error:
                draft.report.drop("", None, "thank-you branches", REFUSED, message=error.message)
        record_audit(
            actor=actor,
            action="survey.import",
            target=survey,
            changes={"format": draft.format, "dropped": len(draft.report.entries)},
        )
    return Imported(survey, draft)


def _known(rule: dict, added: set[str]) -> dict:
    conditions: list[dict] = next(iter(rule.values()), []) if rule else []
    if not conditions or any(c.get("question") not in added for c in conditions):
        return {}
    return rule
