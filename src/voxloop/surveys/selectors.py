"""Scoped reads of surveys.

A survey owned by a unit is visible to everyone at that unit, below it (a store manager sees
the company-wide survey, for their store's responses) and above it.
"""

import copy
import threading
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from voxloop import rows
from voxloop.errors import NotFound
from voxloop.recent import Recent
from voxloop.surveys import definition
from voxloop.surveys.definition import rule_holds
from voxloop.surveys.models import ANONYMOUS_KINDS, Question, Survey, SurveyKind, SurveyStatus
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


def counted_surveys(scope: Scope) -> QuerySet[Survey]:
    """The surveys whose answers make the figures of "all surveys": neither drafts nor test
    surveys, so a new test survey never enters the company's NPS unannounced."""
    return visible_surveys(scope).exclude(status=SurveyStatus.DRAFT).exclude(is_test=True)


def headline_survey(scope: Scope, anonymous: bool) -> Survey | None:
    """The programme's headline survey (chosen by an admin), if the reader can see it."""
    kinds = [k for k in SurveyKind.values if (k in ANONYMOUS_KINDS) == anonymous]
    return counted_surveys(scope).filter(is_primary=True, kind__in=kinds).first()


def _visible(scope: Scope, unit_path: str) -> bool:
    """As visible_surveys: owned at the scope's unit, above it or below it."""
    return scope.unit_path.startswith(unit_path) or unit_path.startswith(scope.unit_path)


# Definitions of the surveys this process captures for, by id: (revision, survey, questions).
_definitions: OrderedDict[int, tuple[str, Survey, list[Question]]] = OrderedDict()
_definitions_lock = threading.Lock()
DEFINITIONS_KEPT = 512
# Each survey's organisation, owner path and revision as read in the last few seconds,
# emptied on any change to a survey or its questions here (surveys.receivers).
recent_heads = Recent()
HEAD_COLUMNS = ("id", "organization_id", "unit_path", "revision")


def survey_for_capture(scope: Scope, survey_id: int) -> tuple[Survey, list[Question]]:
    """A visible survey and its questions, for storing a response to it.

    The definition is held in memory under the survey's revision, and the revision with the
    owner's path is read again after a few seconds (voxloop.recent), so a response usually
    costs no read at all; visibility is checked on every call. The survey returned is the
    caller's own copy.
    """
    current = recent_heads.recall(survey_id)
    if current is None and abs(survey_id) < 2**63:
        current = rows.fetch(Survey, HEAD_COLUMNS, "id = %s", [survey_id])
        if current is not None:
            recent_heads.remember(survey_id, current)
    if (
        current is None
        or current.organization_id != scope.organization_id
        or not _visible(scope, current.unit_path)
    ):
        raise NotFound("No such survey.")
    held = _definitions.get(survey_id)
    if held is None or held[0] != current.revision:
        # The revision is read before the questions, and changes in the same transaction
        # as they do: a definition is never kept under a revision newer than itself.
        survey = Survey.objects.get(pk=survey_id)
        held = (survey.revision, survey, list(survey.questions.all()))
        with _definitions_lock:
            _definitions[survey_id] = held
            _definitions.move_to_end(survey_id)
            while len(_definitions) > DEFINITIONS_KEPT:
                _definitions.popitem(last=False)
    survey = copy.copy(held[1])
    survey.unit_path = current.unit_path  # a unit move rewrites it without a new revision
    return survey, list(held[2])


def questions_of(survey_obj: Survey) -> list[Question]:
    return list(survey_obj.questions.all())


def live_survey_by_slug(slug: str) -> Survey | None:
    """The public respondent lookup: an unguessable slug, any status (pages explain closed)."""
    return Survey.objects.filter(public_slug=slug).first()


def is_open(survey_obj: Survey) -> bool:
    return survey_obj.status == SurveyStatus.LIVE


def free_text_keys(survey_ids: Iterable[int]) -> dict[int, list[str]]:
    """The answer keys that hold what somebody wrote, per survey: its free-text questions
    and the "other" text of choice questions that offer one (privacy: erasure, retention)."""
    keys: dict[int, list[str]] = {}
    rows_ = (
        Question.objects.filter(survey_id__in=list(survey_ids))
        .order_by("survey_id", "position", "id")
        .values_list("survey_id", "key", "type", "config")
    )
    for survey_id, key, kind, config in rows_:
        if kind in ("long_text", "short_text"):
            keys.setdefault(survey_id, []).append(key)
        elif (config or {}).get("allow_other"):
            keys.setdefault(survey_id, []).append(f"{key}:other")
    return keys


def organization_survey_ids(organization_id: int) -> list[int]:
    """Every survey of an organisation, whoever owns it (system reads: retention)."""
    return list(Survey.objects.filter(organization_id=organization_id).values_list("pk", flat=True))


def text_question_keys(survey_ids: Iterable[int]) -> dict[int, list[str]]:
    """The keys of each survey's free-text questions, in order (analytics: comments)."""
    keys: dict[int, list[str]] = {}
    rows_ = (
        Question.objects.filter(
            survey_id__in=list(survey_ids), type__in=("long_text", "short_text")
        )
        .order_by("survey_id", "type", "position", "id")
        .values_list("survey_id", "key")
    )
    for survey_id, key in rows_:
        keys.setdefault(survey_id, []).append(key)
    return keys


def was_shown(question: Question, answers: dict) -> bool:
    """Whether a respondent with these answers was shown the question (its display logic)."""
    return rule_holds(question.show_if, answers or {})


def question_labels(survey_ids: Iterable[int], locale: str) -> dict[str, dict[str, Any]]:
    """What staff pages show instead of keys, in the reader's language: per question key its
    title and the labels of its choices and rows (the first survey that has the key wins)."""
    labels: dict[str, dict[str, Any]] = {}
    rows_ = (
        Question.objects.filter(survey_id__in=list(survey_ids))
        .select_related("survey")
        .order_by("survey_id", "position", "id")
    )
    for question in rows_:
        if question.key in labels:
            continue
        default = question.survey.default_locale

        def text(texts: dict[str, str] | None, fallback: str, default: str = default) -> str:
            return definition.localized(texts, locale, default) or fallback

        config = question.config or {}
        labels[question.key] = {
            "title": text(question.texts.get("title"), question.key),
            "choices": {
                str(c["key"]): text(c.get("label"), str(c["key"]))
                for part in ("choices", "rows")
                for c in config.get(part, [])
            },
        }
    return labels
