"""Every write of the closed loop made by people: rules, playbooks, root causes, cases.

Rules, playbooks and root causes are configuration (admins, audited). Cases are worked by
managers in their subtree and by agents on their own cases; every step lands on the case's
timeline and in the audit log.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Q

from voxloop import conditions as tree
from voxloop import outbound
from voxloop.closedloop import messages, resolution_times
from voxloop.closedloop.conditions import clean_conditions
from voxloop.closedloop.models import (
    DEFAULT_SLA_HOURS,
    ActionPlan,
    AlertRule,
    Case,
    Playbook,
    PlaybookKind,
    Priority,
    RootCause,
)
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, Role, repath_copies
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

User = get_user_model()
RECIPIENT_TYPES = ("role", "team_lead", "account_owner", "user")
WEBHOOK_KINDS = ("slack", "teams", "webhook")
RULE_FIELDS = (
    "name", "is_active", "open_case", "priority", "sla_hours", "second_escalation_hours",
    "assign_role", "email_mode", "flag_advocate", "record_praise", "applies_to",
    "allow_review_gating",
)  # fmt: skip
# What the customer thought: a review invitation may not depend on these (review gating).
OPINION_FIELDS = frozenset(
    ("nps", "csat", "ces", "nps_group", "rating", "comment", "comment_sentiment",
     "comment_theme", "comment_intent")
)  # fmt: skip
REVIEW_GATING_WARNING = (
    "Review gating: this rule would invite only some respondents to leave a public review, "
    "chosen by what they answered. Google's review policy and the FTC's rule on consumer "
    "reviews (16 CFR 465) forbid it. Invite every respondent (a rule without conditions that "
    "opens no case) or none, or switch this protection off for the rule."
)
APPLIES_TO = ("responses", "reviews")
MAX_NOTE = 10_000

# --- the receiver's quick question: could this organisation alert at all? ----------------
_rules_cache: dict[int, tuple[float, bool]] = {}
_review_rules_cache: dict[int, tuple[float, bool]] = {}
RULES_CACHE_SECONDS = 5.0


def may_alert(*, response: Any) -> bool:
    """False for anonymous surveys and organisations without active rules, so most
    responses cost no task at all; remembered a few seconds, forgotten on any rule change."""
    if getattr(response.survey, "is_anonymous", False):
        return False
    org = response.organization_id
    cached = _rules_cache.get(org)
    if cached is None or cached[0] < time.monotonic():
        has = AlertRule.objects.filter(organization_id=org, is_active=True).exists()
        cached = (time.monotonic() + RULES_CACHE_SECONDS, has)
        _rules_cache[org] = cached
    return cached[1]


def may_alert_review(*, organization_id: int) -> bool:
    """False for organisations without active rules on reviews (then a new review costs no
    task); remembered a few seconds, forgotten on any rule change."""
    cached = _review_rules_cache.get(organization_id)
    if cached is None or cached[0] < time.monotonic():
        has = AlertRule.objects.filter(
            organization_id=organization_id, is_active=True, applies_to="reviews"
        ).exists()
        cached = (time.monotonic() + RULES_CACHE_SECONDS, has)
        _review_rules_cache[organization_id] = cached
    return cached[1]


def _rules_changed(organization_id: int) -> None:
    _rules_cache.pop(organization_id, None)
    _review_rules_cache.pop(organization_id, None)


def _forget_rules_now_and_on_commit(organization_id: int) -> None:
    _rules_changed(organization_id)
    transaction.on_commit(lambda: _rules_changed(organization_id))


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    from voxloop.closedloop.models import ActionPlan, Advocate, Praise

    for model in (Case, AlertRule, Playbook, ActionPlan, Advocate, Praise):
        repath_copies(model.objects.filter(organization_id=organization_id), old_path, new_path)
    # The resolution times are kept per unit above each case: a move changes those units.
    resolution_times.rebuild(organization_id)


def recount_resolution_times(*, organization_id: int) -> int:
    """After a unit's time zone changed (its cases' days move), or to check the kept counts."""
    return resolution_times.rebuild(organization_id)


# --- alert rules ----------------------------------------------------------------------------


def _check_unit(actor: Scope, unit: OrgUnit) -> None:
    if not actor.covers(unit):
        raise NotFound("No such org unit.", field="unit")


def _clean_rule(actor: Scope, fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: v for k, v in fields.items() if k in RULE_FIELDS}
    if "name" in fields and not str(fields["name"] or "").strip():
        raise InvalidInput("A rule needs a name.", field="name")
    if "priority" in fields and fields["priority"] not in Priority.values:
        raise InvalidInput("Unknown priority.", field="priority")
    for name in ("sla_hours", "second_escalation_hours"):
        if name in fields:
            value = fields[name]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8760:
                raise InvalidInput("Hours between 1 and 8760.", field=name)
    if "assign_role" in fields and fields["assign_role"] not in (Role.MANAGER, Role.AGENT):
        raise InvalidInput("Cases go to managers or agents.", field="assign_role")
    if "applies_to" in fields and fields["applies_to"] not in APPLIES_TO:
        raise InvalidInput("A rule applies to 'responses' or 'reviews'.", field="applies_to")
    if "email_mode" in fields and fields["email_mode"] not in ("immediate", "digest"):
        raise InvalidInput("Email is 'immediate' or 'digest'.", field="email_mode")
    if "conditions" in fields:
        cleaned["conditions"] = clean_conditions(fields["conditions"])
    if "recipients" in fields:
        cleaned["recipients"] = _clean_recipients(actor, fields["recipients"])
    if "webhooks" in fields:
        cleaned["webhooks"] = _clean_webhooks(fields["webhooks"])
    for name in ("thank_you_playbook_id", "review_playbook_id"):
        if name in fields:
            cleaned[name] = _playbook_id(actor, fields[name], name)
    return cleaned


def _clean_recipients(actor: Scope, raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        raise InvalidInput("Recipients are a list.", field="recipients")
    out = []
    for i, spec in enumerate(raw):
        where = f"recipients.{i}"
        if not isinstance(spec, dict) or spec.get("type") not in RECIPIENT_TYPES:
            raise InvalidInput(f"A recipient's type is one of {RECIPIENT_TYPES}.", where)
        if spec["type"] == "role":
            if spec.get("role") not in Role.values:
                raise InvalidInput("Unknown role.", f"{where}.role")
            out.append({"type": "role", "role": spec["role"]})
        elif spec["type"] == "user":
            user_id = spec.get("user_id")
            visible = isinstance(user_id, int) and tenancy_selectors.is_member(
                actor.organization_id, user_id
            )
            if not visible:
                raise InvalidInput("No such user in this organisation.", f"{where}.user_id")
            out.append({"type": "user", "user_id": user_id})
        else:
            out.append({"type": spec["type"]})
    return out


def _clean_webhooks(raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        raise InvalidInput("Webhooks are a list.", field="webhooks")
    out = []
    for i, hook in enumerate(raw):
        where = f"webhooks.{i}"
        if not isinstance(hook, dict) or hook.get("kind", "webhook") not in WEBHOOK_KINDS:
            raise InvalidInput(f"A webhook's kind is one of {WEBHOOK_KINDS}.", where)
        url = hook.get("url")
        problem = outbound.url_problem(url)
        if problem:
            raise InvalidInput(f"A webhook needs an http(s) URL. {problem}", f"{where}.url")
        secret = hook.get("secret", "")
        if not isinstance(secret, str) or len(secret) > 200:
            raise InvalidInput("The secret is text of at most 200 characters.", f"{where}.secret")
        out.append({"kind": hook.get("kind", "webhook"), "url": url, "secret": secret})
    return out


def _playbook_id(actor: Scope, value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    found = actor.filter(Playbook.objects.filter(pk=value), "unit_path").first()
    if found is None:
        raise NotFound("No such playbook.", field=field)
    return found.pk


def _set_surveys(actor: Scope, rule: AlertRule, survey_ids: list[int] | None) -> None:
    if survey_ids is None:
        return
    surveys = []
    for survey_id in survey_ids:
        try:
            surveys.append(survey_selectors.survey(actor, survey_id))
        except NotFound:
            raise NotFound(f"No such survey: {survey_id}.", field="survey_ids") from None
    rule.surveys.set(surveys)


@transaction.atomic
def create_rule(
    *, actor: Scope, unit: OrgUnit, survey_ids: list[int] | None = None, **fields: Any
) -> AlertRule:
    actor.require(Capability.CONFIGURE)
    _check_unit(actor, unit)
    fields.setdefault("conditions", {})
    fields.setdefault("recipients", [{"type": "role", "role": "manager"}])
    fields.setdefault("sla_hours", DEFAULT_SLA_HOURS)
    fields.setdefault("name", "")
    cleaned = _clean_rule(actor, fields)
    _refuse_review_gating(cleaned)
    rule = AlertRule.objects.create(
        organization_id=actor.organization_id, unit=unit, unit_path=unit.path, **cleaned
    )
    _set_surveys(actor, rule, survey_ids)
    record_audit(actor=actor, action="alert_rule.create", target=rule, changes={"name": rule.name})
    _forget_rules_now_and_on_commit(actor.organization_id)
    return rule


@transaction.atomic
def update_rule(
    *, actor: Scope, rule: AlertRule, survey_ids: list[int] | None = None, **fields: Any
) -> AlertRule:
    actor.require(Capability.CONFIGURE)
    if "unit" in fields:
        _check_unit(actor, fields["unit"])
        rule.unit, rule.unit_path = fields["unit"], fields["unit"].path
    cleaned = _clean_rule(actor, fields)
    _refuse_review_gating(
        {
            "review_playbook_id": rule.review_playbook_id,
            "conditions": rule.conditions,
            "allow_review_gating": rule.allow_review_gating,
        }
        | cleaned
    )
    for name, value in cleaned.items():
        setattr(rule, name, value)
    rule.save()
    _set_surveys(actor, rule, survey_ids)
    record_audit(
        actor=actor,
        action="alert_rule.update",
        target=rule,
        changes={k: str(v)[:200] for k, v in cleaned.items()},
    )
    _forget_rules_now_and_on_commit(actor.organization_id)
    return rule


def gates_reviews(*, conditions: dict) -> bool:
    """Whether conditions choose respondents by what they thought of us."""
    return any(item.get("field") in OPINION_FIELDS for item in tree.leaves(conditions or {}))


def _refuse_review_gating(state: dict[str, Any]) -> None:
    if (
        state.get("review_playbook_id")
        and not state.get("allow_review_gating")
        and gates_reviews(conditions=state.get("conditions") or {})
    ):
        raise InvalidInput(REVIEW_GATING_WARNING, field="review_playbook_id")


@transaction.atomic
def delete_rule(*, actor: Scope, rule: AlertRule) -> None:
    actor.require(Capability.CONFIGURE)
    record_audit(actor=actor, action="alert_rule.delete", target=rule, changes={"name": rule.name})
    rule.delete()  # its cases stay, with the rule cleared
    _forget_rules_now_and_on_commit(actor.organization_id)


# --- playbooks and root causes ---------------------------------------------------------


def _clean_playbook(fields: dict[str, Any]) -> dict[str, Any]:
    cleaned = {k: fields[k] for k in ("name", "kind", "subject", "body", "language") if k in fields}
    if "language" in cleaned:
        cleaned["language"] = str(cleaned["language"] or "").strip().lower()[:12]
    for name in ("name", "subject", "body"):
        if name in cleaned and not str(cleaned[name] or "").strip():
            raise InvalidInput("This field is required.", field=name)
    if "kind" in cleaned and cleaned["kind"] not in PlaybookKind.values:
        raise InvalidInput("Unknown playbook kind.", field="kind")
    for name in ("subject", "body"):
        unknown = messages.unknown_merge_fields(str(cleaned.get(name, "")))
        if unknown:
            raise InvalidInput(
                f"Unknown merge field(s): {', '.join(unknown)}; "
                f"known: {', '.join(messages.MERGE_FIELDS)}.",
                field=name,
            )
    return cleaned


@transaction.atomic
def create_playbook(*, actor: Scope, unit: OrgUnit, **fields: Any) -> Playbook:
    actor.require(Capability.CONFIGURE)
    _check_unit(actor, unit)
    for name in ("name", "kind", "subject", "body"):
        fields.setdefault(name, "")
    playbook = Playbook.objects.create(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        **_clean_playbook(fields),
    )
    record_audit(
        actor=actor, action="playbook.create", target=playbook, changes={"name": playbook.name}
    )
    return playbook


def _own_playbook(actor: Scope, playbook: Playbook) -> None:
    """Playbooks of units above the actor's serve them but are not theirs to change."""
    actor.require(Capability.CONFIGURE)
    if playbook.organization_id != actor.organization_id or not actor.covers_path(
        playbook.unit_path
    ):
        raise Forbidden("This playbook belongs to a unit above yours.")


@transaction.atomic
def update_playbook(*, actor: Scope, playbook: Playbook, **fields: Any) -> Playbook:
    _own_playbook(actor, playbook)
    cleaned = _clean_playbook(fields)
    for name, value in cleaned.items():
        setattr(playbook, name, value)
    playbook.save()
    record_audit(
        actor=actor,
        action="playbook.update",
        target=playbook,
        changes={k: str(v)[:200] for k, v in cleaned.items()},
    )
    return playbook


@transaction.atomic
def create_root_cause(*, actor: Scope, name: str, parent: RootCause | None = None) -> RootCause:
    actor.require(Capability.CONFIGURE)
    if not name or not name.strip():
        raise InvalidInput("A root cause needs a name.", field="name")
    if parent is not None and parent.organization_id != actor.organization_id:
        raise NotFound("No such root cause.", field="parent_id")
    # The unique constraint cannot see two top causes of one name (NULL parents differ).
    siblings = RootCause.objects.filter(organization_id=actor.organization_id, parent=parent)
    if siblings.filter(name=name.strip()[:120]).exists():
        raise Conflict("That root cause already exists.", field="name")
    try:
        with transaction.atomic():
            cause = RootCause.objects.create(
                organization_id=actor.organization_id, parent=parent, name=name.strip()[:120]
            )
    except IntegrityError:
        raise Conflict("That root cause already exists.", field="name") from None
    record_audit(
        actor=actor, action="root_cause.create", target=cause, changes={"name": cause.name}
    )
    return cause


def delete_playbook(*, actor: Scope, playbook: Playbook) -> None:
    """Delete a playbook no alert rule sends (else 409: the rule would stop thanking)."""
    _own_playbook(actor, playbook)
    used = AlertRule.objects.filter(organization_id=actor.organization_id).filter(
        Q(thank_you_playbook=playbook) | Q(review_playbook=playbook)
    )
    if used.exists():
        raise Conflict("Alert rules send this playbook: change them first.", field="id")
    with transaction.atomic():
        record_audit(
            actor=actor, action="playbook.delete", target=playbook, changes={"name": playbook.name}
        )
        playbook.delete()


def update_root_cause(*, actor: Scope, cause: RootCause, name: str) -> RootCause:
    """Rename a root cause; its cases keep it under the new name."""
    actor.require(Capability.CONFIGURE)
    if cause.organization_id != actor.organization_id:
        raise NotFound("No such root cause.")
    if not name.strip():
        raise InvalidInput("A root cause needs a name.", field="name")
    before = cause.name
    cause.name = name.strip()[:120]
    try:
        with transaction.atomic():
            cause.save(update_fields=["name"])
            record_audit(
                actor=actor,
                action="root_cause.update",
                target=cause,
                changes={"name": [before, cause.name]},
            )
    except IntegrityError:
        raise Conflict("That root cause already exists.", field="name") from None
    return cause


def delete_root_cause(*, actor: Scope, cause: RootCause) -> None:
    """Delete a cause (and its children) that no case names; a cause in use is the history of
    why cases happened, so it is kept (409): rename it instead."""
    actor.require(Capability.CONFIGURE)
    if cause.organization_id != actor.organization_id:
        raise NotFound("No such root cause.")
    branch = [cause.pk]
    frontier = [cause.pk]
    while frontier:
        frontier = list(
            RootCause.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
        )
        branch += frontier
    used = Case.objects.filter(root_cause_id__in=branch).exists()
    if used or ActionPlan.objects.filter(root_cause_id__in=branch).exists():
        raise Conflict(
            "Cases or action plans name this root cause (or one below it): rename it.",
            field="id",
        )
    with transaction.atomic():
        record_audit(
            actor=actor, action="root_cause.delete", target=cause, changes={"name": cause.name}
        )
        cause.delete()


# --- replies to online reviews (the reviews app drafts and posts them) ---------------------


def read_review_link(*, token: str, max_age: int) -> dict | None:
    """What a review invitation's signed link names, or None (see messages.review_link)."""
    return messages.read_review_link(token, max_age)


def merge_playbook(*, template: str, values: dict[str, str]) -> str:
    """A playbook's text with its merge fields filled ({{first_name}}, {{unit}}, {{agent}},
    {{company}}…); unknown ones stay as written."""
    return messages.merge(template, values)


def note_review_reply(*, actor: Scope, case_id: int, text: str) -> None:
    """Put a reply to the case's online review on its timeline (a note), when the reader may
    work that case; quietly nothing otherwise (the reply itself is audited by reviews)."""
    from voxloop.closedloop import casework, selectors

    try:
        case = selectors.case(actor, case_id)
        casework.add_note(actor=actor, case=case, text=text)
    except (NotFound, Forbidden, InvalidInput):
        return
