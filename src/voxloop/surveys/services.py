"""Every write to surveys and questions: design, translate, publish, close, duplicate."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.surveys import selectors, validation
from voxloop.surveys.models import (
    Question,
    Survey,
    SurveyKind,
    SurveyStatus,
    new_revision,
    programme_kinds,
)
from voxloop.tenancy.models import OrgUnit, repath_copies
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

SURVEY_TEXTS = {"title", "intro", "thank_you", "closed"}
QUESTION_TEXTS = {"title", "help", "low", "high"}
SURVEY_FIELDS = {
    *("name", "default_locale", "locales", "texts", "branding", "thank_you_branches"),
    *("is_test", "is_primary"),
}
QUESTION_FIELDS = {"type", "required", "texts", "config", "show_if"}


def _editable(actor: Scope, survey: Survey) -> None:
    actor.require(Capability.CONFIGURE)
    if survey.organization_id != actor.organization_id or not actor.covers_path(survey.unit_path):
        raise Forbidden("This survey belongs to another part of the organisation.")


def create_survey(
    *,
    actor: Scope,
    unit: OrgUnit,
    name: str,
    kind: str,
    default_locale: str = "en",
    locales: list[str] | None = None,
    texts: dict | None = None,
) -> Survey:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    validation.refuse_nul({"name": name, "texts": texts or {}}, "")
    if not name.strip():
        raise InvalidInput("A survey needs a name.", field="name")
    if kind not in SurveyKind.values:
        raise InvalidInput(f"Unknown survey kind; use one of {SurveyKind.values}.", "kind")
    survey = Survey(
        organization_id=unit.organization_id,
        unit=unit,
        unit_path=unit.path,
        name=name.strip(),
        kind=kind,
        default_locale=default_locale,
        locales=validation.check_locales(default_locale, locales or []),
        texts=validation.check_texts(texts or {}, "texts", SURVEY_TEXTS),
        created_by_id=actor.user_id,
    )
    with transaction.atomic():
        survey.save()
        record_audit(actor=actor, action="survey.create", target=survey, changes={"kind": kind})
    return survey


def update_survey(*, actor: Scope, survey: Survey, **fields: Any) -> Survey:
    _editable(actor, survey)
    unknown = set(fields) - SURVEY_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    validation.refuse_nul(fields, "")
    if "name" in fields and not str(fields["name"]).strip():
        raise InvalidInput("A survey needs a name.", field="name")
    if "default_locale" in fields or "locales" in fields:
        fields["locales"] = validation.check_locales(
            fields.get("default_locale", survey.default_locale),
            fields.get("locales", survey.locales),
        )
    if "texts" in fields:
        validation.check_texts(fields["texts"], "texts", SURVEY_TEXTS)
    if "branding" in fields:
        fields["branding"] = _check_branding(
            fields["branding"], fields.get("default_locale", survey.default_locale)
        )
    if "thank_you_branches" in fields:
        fields["thank_you_branches"] = validation.check_thank_you_branches(
            fields["thank_you_branches"], survey.questions.all()
        )
    for key, value in fields.items():
        setattr(survey, key, value)
    with transaction.atomic():
        if fields.get("is_primary"):
            # One headline survey per programme and organisation.
            Survey.objects.filter(
                organization_id=survey.organization_id,
                kind__in=programme_kinds(survey.kind),
                is_primary=True,
            ).exclude(pk=survey.pk).update(is_primary=False)
        survey.save()
        record_audit(
            actor=actor, action="survey.update", target=survey, changes={"fields": sorted(fields)}
        )
    return survey


def _check_branding(branding: Any, default_locale: str) -> dict:
    if not isinstance(branding, dict):
        raise InvalidInput("Branding must be an object.", field="branding")
    branding = dict(branding)
    sender = branding.get("sender_name")
    if isinstance(sender, str):
        # One name for every language; the builder and pages read it per language.
        branding["sender_name"] = {default_locale: sender} if sender.strip() else {}
    elif sender is not None:
        texts = validation.check_texts({"sender_name": sender}, "branding", {"sender_name"})
        branding["sender_name"] = dict(texts["sender_name"])
    colour = branding.get("colour")
    if colour and not validation.COLOUR.match(str(colour)):
        raise InvalidInput("Colours are written like #1a7f5a.", field="branding.colour")
    logo = branding.get("logo_url", "")
    if logo and not str(logo).startswith(("https://", "/")):
        raise InvalidInput(
            "The logo must be an https:// or site-relative URL.", "branding.logo_url"
        )
    return branding


def add_question(
    *,
    actor: Scope,
    survey: Survey,
    key: str,
    type: str,
    texts: dict,
    config: dict | None = None,
    required: bool = False,
    show_if: dict | None = None,
    position: int | None = None,
) -> Question:
    _editable(actor, survey)
    validation.refuse_nul({"texts": texts, "config": config or {}, "show_if": show_if or {}}, "")
    validation.check_key(key)
    config = validation.check_config(type, config or {})
    validation.check_texts(texts, "texts", QUESTION_TEXTS)
    questions = list(survey.questions.all())
    after_last = (survey.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    position = after_last if position is None else max(1, min(position, after_last))
    earlier = {q.key: q for q in questions if q.position < position}
    rule = validation.check_show_if(show_if, earlier)
    try:
        with transaction.atomic():
            # Make room: the new question goes where it was asked to, before the one there.
            later = [q for q in questions if q.position >= position]
            for q in later:
                q.position += 1
            Question.objects.bulk_update(later, ["position"])
            question = Question.objects.create(
                survey=survey,
                key=key,
                type=type,
                texts=texts,
                config=config,
                required=bool(required),
                show_if=rule,
                position=position,
            )
            record_audit(
                actor=actor,
                action="question.create",
                target=survey,
                changes={"key": key, "type": type},
            )
    except IntegrityError:
        raise Conflict(f"The key '{key}' is already used in this survey.", field="key") from None
    return question


def update_question(*, actor: Scope, question: Question, **fields: Any) -> Question:
    survey = question.survey
    _editable(actor, survey)
    unknown = set(fields) - QUESTION_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    validation.refuse_nul(fields, "")
    if "type" in fields and survey.published_at and fields["type"] != question.type:
        # Past answers are stored by key: a new type would make them unreadable.
        raise Conflict("A published question keeps its type; add a new question.", "type")
    kind = fields.get("type", question.type)
    if "config" in fields or "type" in fields:
        fields["config"] = validation.check_config(kind, fields.get("config", question.config))
        if survey.published_at:
            _keeps_stored_answers(question, fields["config"])
    if "texts" in fields:
        validation.check_texts(fields["texts"], "texts", QUESTION_TEXTS)
    if "show_if" in fields:
        earlier = {q.key: q for q in survey.questions.filter(position__lt=question.position)}
        fields["show_if"] = validation.check_show_if(fields["show_if"], earlier)
    for key, value in fields.items():
        setattr(question, key, value)
    with transaction.atomic():
        question.save()
        record_audit(
            actor=actor,
            action="question.update",
            target=survey,
            changes={"key": question.key, "fields": sorted(fields)},
        )
    return question


def _keeps_stored_answers(question: Question, config: dict) -> None:
    """Past answers are stored as choice keys, row keys and points on the scale: once the
    survey has been published, a change may add to them and relabel them, never take away
    or rescale what answers already mean."""
    old = question.config or {}
    for part in ("choices", "rows"):
        kept = {str(o.get("key")) for o in config.get(part, [])}
        gone = [str(o.get("key")) for o in old.get(part, []) if str(o.get("key")) not in kept]
        if gone:
            raise Conflict(
                f"'{gone[0]}' may already be an answer; a published question keeps it.",
                field=f"config.{part}",
            )
    if "scale" in old and config.get("scale") != old["scale"]:
        raise Conflict("A published question keeps its scale; add a new question.", "config.scale")
    if old.get("allow_other") and not config.get("allow_other"):
        raise Conflict(
            "Answers may already be 'other'; a published question keeps it.", "config.allow_other"
        )


def reorder_questions(*, actor: Scope, survey: Survey, keys: list[str]) -> list[Question]:
    """Put the questions in the given order; logic must still only look backwards."""
    _editable(actor, survey)
    questions = {q.key: q for q in survey.questions.all()}
    if sorted(keys) != sorted(questions):
        raise InvalidInput("Give every question key exactly once.", field="keys")
    earlier: dict[str, Question] = {}
    for index, key in enumerate(keys, start=1):
        question = questions[key]
        validation.check_show_if(question.show_if, earlier)
        question.position = index
        earlier[key] = question
    with transaction.atomic():
        Question.objects.bulk_update(questions.values(), ["position"])
        mark_revised(survey_id=survey.pk)
        record_audit(actor=actor, action="survey.reorder", target=survey, changes={"keys": keys})
    return [questions[k] for k in keys]


def remove_question(*, actor: Scope, question: Question) -> None:
    survey = question.survey
    _editable(actor, survey)
    dependants = [q.key for q in survey.questions.all() if _refers_to(q.show_if, question.key)]
    if dependants:
        raise Conflict(
            f"'{dependants[0]}' shows only after this question; change it first.", field="key"
        )
    branches = [
        index
        for index, branch in enumerate(survey.thank_you_branches or [], start=1)
        if isinstance(branch, dict) and _refers_to(branch.get("when") or {}, question.key)
    ]
    if branches:
        # A rule over a missing answer never holds: the branch would silently stop showing.
        raise Conflict(
            f"Thank-you message {branches[0]} depends on this question; change it first.",
            field="key",
        )
    with transaction.atomic():
        record_audit(
            actor=actor, action="question.delete", target=survey, changes={"key": question.key}
        )
        question.delete()


def _refers_to(rule: dict, key: str) -> bool:
    conditions = next(iter(rule.values()), []) if rule else []
    return any(c.get("question") == key for c in conditions)


def publish(*, actor: Scope, survey: Survey, live_since: datetime | None = None) -> Survey:
    """Open the survey for responses; `live_since` backdates it for imported history."""
    _editable(actor, survey)
    if not survey.questions.exists():
        raise InvalidInput("Add at least one question before publishing.", field="questions")
    survey.status = SurveyStatus.LIVE
    survey.published_at = live_since or survey.published_at or timezone.now()
    survey.closed_at = None
    with transaction.atomic():
        survey.save()
        record_audit(actor=actor, action="survey.publish", target=survey)
    return survey


def close(*, actor: Scope, survey: Survey) -> Survey:
    _editable(actor, survey)
    survey.status = SurveyStatus.CLOSED
    survey.closed_at = timezone.now()
    with transaction.atomic():
        survey.save()
        record_audit(actor=actor, action="survey.close", target=survey)
    return survey


def duplicate(*, actor: Scope, survey: Survey, name: str | None = None) -> Survey:
    """A draft copy with the same questions, texts and logic, and a new public link."""
    _editable(actor, survey)
    validation.refuse_nul(name or "", "name")
    with transaction.atomic():
        copy = Survey.objects.create(
            organization_id=survey.organization_id,
            unit_id=survey.unit_id,
            unit_path=survey.unit_path,
            name=name or f"{survey.name} (copy)",
            kind=survey.kind,
            default_locale=survey.default_locale,
            locales=survey.locales,
            texts=survey.texts,
            branding=survey.branding,
            thank_you_branches=survey.thank_you_branches,
            created_by_id=actor.user_id,
        )
        Question.objects.bulk_create(
            Question(
                survey=copy,
                key=q.key,
                type=q.type,
                position=q.position,
                required=q.required,
                texts=q.texts,
                config=q.config,
                show_if=q.show_if,
            )
            for q in survey.questions.all()
        )
        record_audit(
            actor=actor, action="survey.duplicate", target=copy, changes={"from": survey.pk}
        )
    return copy


def mark_revised(*, survey_id: int) -> None:
    """A question changed: processes holding the survey's definition in memory reload it."""
    Survey.objects.filter(pk=survey_id).update(revision=new_revision())
    selectors.recent_heads.forget_all()


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    """Keep the copied unit paths right when a unit moves (called on tenancy's unit_moved)."""
    repath_copies(Survey.objects.filter(organization_id=organization_id), old_path, new_path)


def import_survey(
    *, actor: Scope, unit: OrgUnit, filename: str, content: bytes, kind: str = "relationship"
) -> Any:
    """A draft survey from another tool's file (or our export), with the report of what could
    not be carried over (surveys.importing); admins only, audited."""
    from voxloop.surveys import importing
    from voxloop.surveys.importing import save

    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise Forbidden("The unit is outside your part of the organisation.", "unit")
    return save.save(actor, unit, importing.read_file(filename, content), kind=kind)


def export_survey(*, actor: Scope, survey: Survey, format: str = "voxloop") -> dict[str, Any]:
    """The survey as a file another Voxloop (format "voxloop") or SurveyJS ("surveyjs") reads.

    A read of the design: the caller passes a survey from the scoped selector (visible to
    them, perhaps owned above their unit); audited, as it leaves the product."""
    from voxloop.surveys.importing import surveyjs_export, voxloop_json

    if survey.organization_id != actor.organization_id:
        raise Forbidden("This survey belongs to another organisation.")
    record_audit(actor=actor, action="survey.export", target=survey, changes={"format": format})
    if format == "surveyjs":
        return surveyjs_export.export(survey)
    if format != "voxloop":
        raise InvalidInput("Export as 'voxloop' or 'surveyjs'.", field="format")
    return voxloop_json.export(survey)
