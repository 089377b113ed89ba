"""Writes of the privacy settings, and the rule for who may act on a person's data."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from voxloop.errors import Forbidden, InvalidInput
from voxloop.privacy.models import PERIODS, PrivacyPolicy
from voxloop.privacy.selectors import policy_of, recent_masking
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

# Short enough for any policy, long enough that a typo ("3" for "30") cannot wipe a month of
# feedback. The audit log proves erasures and who read what: a year at least.
MIN_DAYS = {
    "response_days": 30,
    "comment_days": 30,
    "contact_days": 30,
    "audit_days": 365,
    # A reviewer's name only (the review stays): a week is the shortest sensible.
    "reviewer_name_days": 7,
}
MAX_DAYS = 36500


def at_the_top(*, actor: Scope) -> bool:
    """Whether the actor's membership is at the organisation's top unit (sees all of it)."""
    return len(actor.unit_path) == PATH_SEGMENT_WIDTH


def may_act_on_everything(*, actor: Scope, capability: Capability) -> bool:
    return actor.can(capability) and at_the_top(actor=actor)


def require_whole_organisation(*, actor: Scope, capability: Capability) -> None:
    """A person's data and an organisation's policy span every unit: only a role held at the
    organisation's root may act on them (a store's admin would reach beyond their store)."""
    actor.require(capability)
    if not at_the_top(actor=actor):
        raise Forbidden(
            "This acts on the whole organisation's data; it needs a role at its top unit."
        )


def check_periods(*, values: dict[str, Any]) -> dict[str, int | None]:
    """The retention periods given, each empty (keep) or a whole number of days in range."""
    cleaned: dict[str, int | None] = {}
    for name, value in values.items():
        if name not in PERIODS:
            raise InvalidInput(f"Unknown setting '{name}'.", field=name)
        if value is None or value == "":
            cleaned[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInput("A period is a whole number of days, or empty.", field=name)
        if not MIN_DAYS[name] <= value <= MAX_DAYS:
            raise InvalidInput(
                f"Between {MIN_DAYS[name]} and {MAX_DAYS} days, or empty to keep.", field=name
            )
        cleaned[name] = value
    return cleaned


def shortened(*, policy: PrivacyPolicy, periods: dict[str, int | None]) -> list[str]:
    """The periods that would now delete more than before (new limit, or a shorter one)."""
    return [
        name
        for name, value in periods.items()
        if value is not None and (getattr(policy, name) is None or value < getattr(policy, name))
    ]


def update_policy(*, actor: Scope, **values: Any) -> PrivacyPolicy:
    """Change the organisation's retention periods and capture masking; audited."""
    require_whole_organisation(actor=actor, capability=Capability.CONFIGURE)
    mask = values.pop("mask_at_capture", None)
    if mask is not None and not isinstance(mask, bool):
        raise InvalidInput("'mask_at_capture' is true or false.", field="mask_at_capture")
    periods = check_periods(values=values)
    policy = policy_of(actor.organization_id)
    wanted: dict[str, Any] = {**periods, **({} if mask is None else {"mask_at_capture": mask})}
    changes = {k: [getattr(policy, k), v] for k, v in wanted.items() if getattr(policy, k) != v}
    if not changes:
        return policy
    for name, (_, value) in changes.items():
        setattr(policy, name, value)
    with transaction.atomic():
        policy.save()
        record_audit(actor=actor, action="privacy.policy", target=policy, changes=changes)
    recent_masking.forget_all()
    return policy
