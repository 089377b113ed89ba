"""Scoped reads of responses: a member sees the responses placed in their unit's subtree.

Responses carry their unit's path, so "my subtree" is one indexed range on this table however
large the organisation is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from voxloop.errors import NotFound
from voxloop.responses.models import Response
from voxloop.surveys.models import ANONYMOUS_KINDS
from voxloop.tenancy.models import OrgUnit, subtree_q
from voxloop.tenancy.scoping import Capability, Scope


def visible_responses(
    scope: Scope,
    survey_id: int | None = None,
    unit: OrgUnit | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    nps_group: str = "",
    origin: str = "",
) -> QuerySet[Response]:
    """Responses one by one, to show or export: roles that read records only."""
    scope.require(Capability.READ_RECORDS)
    narrowed = _narrowed(_in_scope(scope), survey_id, unit, since, until, nps_group, origin)
    return narrowed.select_related("survey", "unit", "staff", "contact")


def counted_responses(
    scope: Scope,
    survey_id: int | None = None,
    unit: OrgUnit | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Response]:
    """The same responses for figures only (counts, scores, drivers), which every role that
    views may see: nothing read through this is ever shown or returned row by row."""
    return _narrowed(_in_scope(scope), survey_id, unit, since, until, "", "")


def _narrowed(
    responses: QuerySet[Response],
    survey_id: int | None,
    unit: OrgUnit | None,
    since: datetime | None,
    until: datetime | None,
    nps_group: str,
    origin: str,
) -> QuerySet[Response]:
    if survey_id is not None:
        responses = responses.filter(survey_id=survey_id)
    if unit is not None:
        # The caller resolved `unit` inside their scope; its subtree narrows, never widens.
        responses = responses.filter(subtree_q(unit.path, "unit_path"))
    if since is not None:
        responses = responses.filter(submitted_at__gte=since)
    if until is not None:
        responses = responses.filter(submitted_at__lt=until)
    if nps_group:
        responses = responses.filter(nps_group=nps_group)
    if origin:
        responses = responses.filter(origin=origin)
    return responses.order_by("-submitted_at", "-id")


def response(scope: Scope, response_id: int) -> Response:
    scope.require(Capability.READ_RECORDS)
    try:
        return (
            _in_scope(scope)
            .select_related("survey", "unit", "staff", "contact")
            .get(pk=response_id)
        )
    except Response.DoesNotExist:
        raise NotFound("No such response.") from None


def _in_scope(scope: Scope) -> QuerySet[Response]:
    """Responses of the subtree, and never an anonymous (employee) survey's. Those are read in
    aggregates that follow the anonymity rule, and one by one only through
    `anonymous_answers`, for a whole month at a scope the rule allows (decision 0016)."""
    scope.require(Capability.VIEW)
    responses = scope.filter(Response.objects.all(), path_field="unit_path")
    return responses.exclude(survey__kind__in=ANONYMOUS_KINDS)


def anonymous_answers(
    scope: Scope, survey_id: int, since: datetime, until: datetime
) -> QuerySet[Response]:
    """The completed answers to an anonymous survey in the reader's whole subtree (never a
    unit of it) submitted in [since, until), in the order of their random resume tokens so
    the order says nothing of who answered first. Analytics' export calls this only for a
    month it releases at this scope."""
    scope.require(Capability.EXPORT)
    responses = scope.filter(Response.objects.all(), path_field="unit_path").filter(
        survey_id=survey_id,
        survey__kind__in=ANONYMOUS_KINDS,
        is_complete=True,
        submitted_at__gte=since,
        submitted_at__lt=until,
    )
    return responses.order_by("resume_token")


def response_counts(scope: Scope, survey_ids: Iterable[int]) -> dict[int, int]:
    """Completed responses per survey, counting only those inside the scope."""
    rows = (
        scope.filter(Response.objects.all(), path_field="unit_path")
        .filter(survey_id__in=list(survey_ids), is_complete=True)
        .values("survey_id")
        .annotate(n=Count("id"))
    )
    return {row["survey_id"]: row["n"] for row in rows}


def answered_count(scope: Scope, survey_id: int, key: str) -> int:
    """Completed responses inside the scope that hold an answer to one question."""
    responses = scope.filter(Response.objects.all(), path_field="unit_path")
    return responses.filter(survey_id=survey_id, is_complete=True, answers__has_key=key).count()


def latest_for_counting(scope: Scope, sample: int = 2000) -> list[Response]:
    """The scope's latest completed responses, for a live count of what a condition would
    match (scores and answers only; nothing read here is shown)."""
    responses = scope.filter(Response.objects.all(), path_field="unit_path")
    latest = responses.filter(is_complete=True).exclude(survey__kind__in=ANONYMOUS_KINDS)
    fields = ("pk", "nps", "nps_group", "csat", "ces", "answers")
    return list(latest.order_by("-submitted_at").only(*fields)[:sample])


def shown_count(scope: Scope, survey_id: int, rule: dict, sample: int = 2000) -> tuple[int, int]:
    """Of the survey's latest completed responses in the scope, how many meet a display rule
    (the builder's live count); (matching, looked at)."""
    from voxloop.surveys.definition import rule_holds

    responses = scope.filter(Response.objects.all(), path_field="unit_path")
    latest = responses.filter(survey_id=survey_id, is_complete=True).order_by("-submitted_at")
    answers = list(latest.values_list("answers", flat=True)[:sample])
    return sum(rule_holds(rule, a) for a in answers), len(answers)


# --- respondent reads: by the respondent's own unguessable capabilities, not by a scope ---


RESUME_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,32}")


def respondent_response_by_token(survey_id: int, token: str) -> Response | None:
    # Only the shape new_resume_token makes: a NUL would be a 500 on PostgreSQL.
    if not token or not RESUME_TOKEN.fullmatch(token):
        return None
    return (
        Response.objects.select_related("unit", "staff", "contact")
        .filter(survey_id=survey_id, resume_token=token)
        .first()
    )


def respondent_response_by_invitation(
    organization_id: int, survey_id: int, source_key: str
) -> Response | None:
    return (
        Response.objects.select_related("unit", "staff", "contact")
        .filter(organization_id=organization_id, source_key=source_key, survey_id=survey_id)
        .first()
    )


def completed_source_keys(organization_id: int, keys: Iterable[str]) -> set[str]:
    """Which of these source keys a completed response holds (reminders to an anonymous
    survey's invitations: whether its person answered, asked without keeping the answer)."""
    wanted = list(keys)
    found = Response.objects.filter(
        organization_id=organization_id, source_key__in=wanted, is_complete=True
    ).values_list("source_key", flat=True)
    return {key for key in found if key is not None}


def answered_since(
    organization_id: int, survey_id: int, contact_id: int, channel: str, since: datetime
) -> bool:
    """Whether the contact completed the survey through the channel since then (a widget's
    re-show suppression, checked on the server too: another browser has no local memory)."""
    return Response.objects.filter(
        organization_id=organization_id,
        survey_id=survey_id,
        contact_id=contact_id,
        channel=channel,
        is_complete=True,
        submitted_at__gte=since,
    ).exists()


# --- system reads for analytics' rollups (not scoped: they keep aggregates, never show rows) --

COUNTING_FIELDS = (
    "id",
    "organization_id",
    "unit_path",
    "survey_id",
    "channel",
    "origin",
    "submitted_at",
    "staff_id",
    "locale",
    "nps",
    "csat",
    "ces",
    "answers",
    "comment_removed_at",
)


def rows_for_counting(response_ids: Iterable[int]) -> list[dict]:
    """The completed responses among these ids, with what analytics counts of each."""
    return list(
        Response.objects.filter(pk__in=list(response_ids), is_complete=True).values(
            *COUNTING_FIELDS
        )
    )


def for_case_rows(response_ids: Iterable[int]) -> list[Response]:
    """The answers and scores a case inbox shows beside each case (the cases are already
    scoped by the closed loop's own selectors)."""
    return list(
        Response.objects.filter(pk__in=list(response_ids)).only(
            "pk", "survey_id", "answers", "nps", "csat", "ces"
        )
    )


def completed_for_events(organization_id: int, response_ids: Iterable[int]) -> list[Response]:
    """These completed responses of one organisation with what an event names (event
    webhooks read them after `responses_changed`; erased ones are gone)."""
    return list(
        Response.objects.filter(
            organization_id=organization_id, pk__in=list(response_ids), is_complete=True
        ).select_related("survey", "unit", "staff", "contact")
    )


def ids_for_counting(
    organization_id: int, path: str = "", chunk: int = 10000
) -> Iterator[list[int]]:
    """Every completed response id of an organisation (optionally one subtree), in chunks."""
    responses = Response.objects.filter(organization_id=organization_id, is_complete=True)
    if path:
        responses = responses.filter(subtree_q(path, "unit_path"))
    last = 0
    while True:
        ids = list(
            responses.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            return
        yield ids
        last = ids[-1]


def counting_source_sql(
    organization_id: int, low: str | None = None, high: str | None = None
) -> tuple[str, tuple]:
    """The query of `rows_for_counting` for a whole organisation (optionally the unit paths
    in [low, high)), as SQL and parameters: analytics' set-based rebuild selects from it
    inside its own INSERT … SELECT, so 10 million rows never travel to Python."""
    responses = Response.objects.filter(organization_id=organization_id, is_complete=True)
    if low:
        responses = responses.filter(unit_path__gte=low)
    if high:
        responses = responses.filter(unit_path__lt=high)
    return responses.values(*COUNTING_FIELDS).query.sql_with_params()


def _completed_not_held(
    since: datetime, held: QuerySet[Any, Any], until: datetime | None
) -> QuerySet[Response]:
    """Completed in [since, until) and without a row in `held`, a ledger keyed by response
    id (its pk), as one anti-join: NOT EXISTS, not NOT IN, which PostgreSQL cannot turn
    into an anti-join and would hash or rescan the whole ledger for (decision 0062)."""
    responses = Response.objects.filter(is_complete=True, submitted_at__gte=since)
    if until is not None:
        responses = responses.filter(submitted_at__lt=until)
    return responses.filter(~Exists(held.filter(pk=OuterRef("pk"))))


def completed_missing(
    since: datetime, held: QuerySet[Any, Any], until: datetime | None = None
) -> list[int]:
    """Ids of the responses completed since then (and before `until`), any organisation, that
    `held` (a ledger keyed by response id) lacks: analytics' sweep; only the missing ids
    leave the database."""
    responses = _completed_not_held(since, held, until)
    return list(responses.order_by("pk").values_list("pk", flat=True))


def named_missing(
    since: datetime, until: datetime, held: QuerySet[Any, Any], organizations: QuerySet[Any, Any]
) -> list[tuple[int, int]]:
    """(response id, organisation id) of the complete, named (not anonymous) responses of
    [since, until) of these organisations (an id subquery) that `held` lacks: the closed
    loop's sweep, in one query."""
    return list(
        _completed_not_held(since, held, until)
        .filter(organization_id__in=organizations)
        .exclude(survey__kind__in=ANONYMOUS_KINDS)
        .order_by("pk")
        .values_list("pk", "organization_id")
    )


def count_for_counting(organization_id: int) -> int:
    return Response.objects.filter(organization_id=organization_id, is_complete=True).count()


# --- a person's answers, and answers whose time is up (privacy) --------------------------


def ids_of_contact(organization_id: int, contact_id: int) -> list[int]:
    return list(
        Response.objects.filter(organization_id=organization_id, contact_id=contact_id)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def of_contact(organization_id: int, contact_id: int) -> list[dict]:
    """Every response linked to the contact, as they gave it (their own copy)."""
    responses = (
        Response.objects.filter(organization_id=organization_id, contact_id=contact_id)
        .select_related("survey", "unit", "staff")
        .order_by("started_at", "pk")
    )
    return [
        {
            "id": r.pk,
            "survey": {"id": r.survey_id, "name": r.survey.name},
            "unit_code": r.unit.code if r.unit is not None else None,
            "staff": r.staff.name if r.staff is not None else None,
            "channel": r.channel,
            "locale": r.locale,
            "is_complete": r.is_complete,
            "started_at": r.started_at,
            "submitted_at": r.submitted_at,
            "answers": r.answers,
            "nps": r.nps,
            "csat": r.csat,
            "ces": r.ces,
            "attributes_when_answering": r.contact_snapshot,
        }
        for r in responses
    ]


def _older_than(before: datetime) -> Q:
    return Q(submitted_at__lt=before) | Q(submitted_at__isnull=True, started_at__lt=before)


def expired_ids(
    organization_id: int, before: datetime, keep: QuerySet[Any, int] | None = None
) -> QuerySet[Response, int]:
    """Ids of the organisation's responses given (or, unfinished, begun) before `before`,
    except those in `keep` (an id subquery)."""
    responses = Response.objects.filter(_older_than(before), organization_id=organization_id)
    if keep is not None:
        responses = responses.exclude(pk__in=keep)
    return responses.order_by("pk").values_list("pk", flat=True)


def surveys_with_text(organization_id: int) -> dict[int, list[str]]:
    from voxloop.surveys.selectors import free_text_keys, organization_survey_ids

    return free_text_keys(organization_survey_ids(organization_id))


def with_text_before(survey_id: int, keys: list[str], before: datetime) -> QuerySet[Response]:
    """The survey's responses from before `before` that still hold free text."""
    return Response.objects.filter(_older_than(before), survey_id=survey_id).filter(
        answers__has_any_keys=keys
    )


def count_with_text_before(
    organization_id: int, before: datetime, after: datetime | None = None
) -> int:
    """How many responses written before `before` (and not before `after`) hold free text."""
    total = 0
    for survey_id, keys in surveys_with_text(organization_id).items():
        responses = with_text_before(survey_id, keys, before)
        if after is not None:
            responses = responses.exclude(_older_than(after))
        total += responses.count()
    return total


def complete_for_rules(response_id: int) -> Response | None:
    """A complete response with what the alert rules read (survey, unit, staff, contact's
    account owner, organisation); None when it is not complete (or not there)."""
    return (
        Response.objects.select_related(
            "survey", "unit", "staff__unit", "contact__account__owner", "organization"
        )
        .filter(pk=response_id, is_complete=True)
        .first()
    )


def complete_for_rules_of(organization_id: int, response_ids: list[int]) -> list[Response]:
    """`complete_for_rules` for many responses of one organisation, in one query, by id."""
    return list(
        Response.objects.select_related(
            "survey", "unit", "staff__unit", "contact__account__owner", "organization"
        )
        .filter(organization_id=organization_id, pk__in=response_ids, is_complete=True)
        .order_by("pk")
    )


def complete_named_orgs(response_ids: Iterable[int]) -> list[tuple[int, int]]:
    """(response id, organisation id) of those of these responses that are complete and
    named (not from an anonymous survey)."""
    return list(
        Response.objects.filter(pk__in=list(response_ids), is_complete=True)
        .exclude(survey__kind__in=ANONYMOUS_KINDS)
        .values_list("pk", "organization_id")
    )


def response_in_org(organization_id: int, response_id: int) -> Response:
    """One response of the organisation, unscoped: the caller has checked the reader's right
    (a case's reader may read the response behind it)."""
    return Response.objects.select_related("survey", "unit", "staff", "contact").get(
        pk=response_id, organization_id=organization_id
    )


def contact_nps_history(organization_id: int) -> QuerySet:
    """(contact id, submitted at, NPS group) of every scored answer by a known contact, by
    contact then time (system work: the demo's customer status history)."""
    return (
        Response.objects.filter(organization_id=organization_id, contact_id__isnull=False)
        .exclude(nps_group__isnull=True)
        .order_by("contact_id", "submitted_at")
        .values_list("contact_id", "submitted_at", "nps_group")
    )


def scores_of_contacts(
    organization_id: int, contact_ids: Iterable[int], since: datetime, until: datetime
) -> list[tuple[int, datetime | None, int | None, int | None, int | None]]:
    """(contact id, submitted at, NPS, CSAT, CES) of the complete answers of these contacts in
    [since, until), oldest first (system work: health scores, which keep figures only)."""
    rows = (
        Response.objects.filter(
            organization_id=organization_id,
            contact_id__in=list(contact_ids),
            is_complete=True,
            submitted_at__gte=since,
            submitted_at__lt=until,
        )
        .exclude(survey__kind__in=ANONYMOUS_KINDS)
        .order_by("submitted_at", "pk")
        .values_list("contact_id", "submitted_at", "nps", "csat", "ces")
    )
    return list(rows)
