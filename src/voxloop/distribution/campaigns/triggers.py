"""Triggers for transactional surveys: when an interaction of a type (with filters) happens,
invite its contact through a channel after a delay, once per trigger and interaction."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop import conditions
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Interaction
from voxloop.distribution.models import Channel, Invitation, Trigger
from voxloop.distribution.services import check_owned
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.surveys import definition
from voxloop.surveys.models import Survey
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

if TYPE_CHECKING:
    from voxloop.contacts.models import InteractionType


def create_trigger(
    actor: Scope,
    unit: OrgUnit,
    survey: Survey,
    interaction_type: InteractionType,
    **fields: Any,
) -> Trigger:
    check_owned(actor=actor, unit=unit, survey=survey, segment=None)
    if interaction_type.organization_id != actor.organization_id:
        raise InvalidInput("No such interaction type.", field="interaction_type")
    # Its events happen only where the type applies: at its owner and below.
    if interaction_type.archived_at is not None or not unit.path.startswith(
        interaction_type.unit_path
    ):
        raise InvalidInput(
            f"The interaction type '{interaction_type.key}' does not apply at {unit.name}.",
            field="interaction_type",
        )
    filters = clean_filters(fields.pop("filters", {}) or {})
    trigger = Trigger(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        survey=survey,
        interaction_type=interaction_type,
        filters=filters,
        name=str(fields.pop("name", "")).strip(),
        channel=fields.pop("channel", Channel.EMAIL),
        delay_minutes=int(fields.pop("delay_minutes", 5)),
        expires_after_days=int(fields.pop("expires_after_days", 7)),
    )
    if fields:
        raise InvalidInput(f"Unknown trigger field '{sorted(fields)[0]}'.", sorted(fields)[0])
    if not trigger.name:
        raise InvalidInput("Give the trigger a name.", field="name")
    if trigger.channel not in Channel.values:
        raise InvalidInput("The channel is email or sms.", field="channel")
    with transaction.atomic():
        trigger.save()
        record_audit(
            actor=actor, action="trigger.create", target=trigger, changes={"filters": filters}
        )
    return trigger


def set_trigger_active(actor: Scope, trigger: Trigger, active: bool) -> Trigger:
    actor.require(Capability.CONFIGURE)
    if not actor.covers_path(trigger.unit_path) or trigger.organization_id != actor.organization_id:
        raise Forbidden("This trigger is outside your part of the organisation.")
    with transaction.atomic():
        trigger.is_active = active
        trigger.save(update_fields=["is_active"])
        record_audit(
            actor=actor,
            action="trigger.activate" if active else "trigger.deactivate",
            target=trigger,
        )
    return trigger


TRIGGER_FIELDS = {"name", "channel", "delay_minutes", "expires_after_days", "filters"}


def _require_trigger(actor: Scope, trigger: Trigger) -> None:
    actor.require(Capability.CONFIGURE)
    if not actor.covers_path(trigger.unit_path) or trigger.organization_id != actor.organization_id:
        raise Forbidden("This trigger is outside your part of the organisation.")


def update_trigger(
    *, actor: Scope, trigger: Trigger, survey: Survey | None = None, fields: dict
) -> Trigger:
    """Rename a trigger, change its channel, delay, expiry, filters or survey."""
    _require_trigger(actor, trigger)
    unknown = sorted(set(fields) - TRIGGER_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown trigger field '{unknown[0]}'.", unknown[0])
    if survey is not None:
        check_owned(actor=actor, unit=trigger.unit, survey=survey, segment=None)
        trigger.survey = survey
    if "filters" in fields:
        fields["filters"] = clean_filters(fields["filters"] or {})
    if "name" in fields:
        fields["name"] = str(fields["name"]).strip()
        if not fields["name"]:
            raise InvalidInput("Give the trigger a name.", field="name")
    if fields.get("channel", trigger.channel) not in Channel.values:
        raise InvalidInput("The channel is email or sms.", field="channel")
    for name, value in fields.items():
        setattr(trigger, name, value)
    with transaction.atomic():
        trigger.save()
        changes = {k: v if k == "filters" else str(v) for k, v in fields.items()}
        record_audit(actor=actor, action="trigger.update", target=trigger, changes=changes)
    return trigger


def delete_trigger(*, actor: Scope, trigger: Trigger) -> None:
    """Delete a trigger that invited nobody; one with invitations feeds the outreach figures
    by trigger, so it is deactivated instead (409)."""
    _require_trigger(actor, trigger)
    if trigger.invitations.exists():
        raise Conflict(
            "This trigger has sent invitations: deactivate it instead (is_active false).",
            field="id",
        )
    with transaction.atomic():
        record_audit(
            actor=actor, action="trigger.delete", target=trigger, changes={"name": trigger.name}
        )
        trigger.delete()


FILTER_OPS = {"eq", "ne", "in", "contains"}


def clean_filters(raw: Any) -> dict[str, Any]:
    """A trigger's filters as a condition tree (voxloop.conditions) on the interaction's
    channel and attributes; the older {"channel" or "attributes.<name>": value} mapping means
    all of them equal."""
    if isinstance(raw, dict) and "items" not in raw and "match" not in raw:
        raw = {
            "match": "all",
            "items": [{"field": k, "op": "eq", "value": v} for k, v in raw.items()],
        }
    if not isinstance(raw, dict):
        raise InvalidInput("Filters are {'match': 'all' or 'any', 'items': [...]}.", "filters")
    return conditions.clean_tree(raw, _clean_filter, field="filters")


def _clean_filter(item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise InvalidInput("Each filter is {field, op, value}.", field=where)
    field, op, value = item.get("field"), item.get("op", "eq"), item.get("value")
    if not isinstance(field, str) or not (
        field == "channel" or (field.startswith("attributes.") and len(field) > 11)
    ):
        raise InvalidInput("Filter on 'channel' or 'attributes.<name>'.", f"{where}.field")
    if op not in FILTER_OPS:
        raise InvalidInput(f"Unknown operator: use one of {sorted(FILTER_OPS)}.", f"{where}.op")
    if op == "in" and not (isinstance(value, list) and value):
        raise InvalidInput("'in' takes a non-empty list.", f"{where}.value")
    if value is None or isinstance(value, dict):
        raise InvalidInput("Give a value.", f"{where}.value")
    return {"field": field, "op": op, "value": value}


def _filter_holds(item: dict, interaction: Interaction) -> bool:
    field, op, value = item["field"], item["op"], item["value"]
    actual = (
        interaction.channel
        if field == "channel"
        else interaction.attributes.get(field.removeprefix("attributes."))
    )
    if op == "eq":
        return actual == value
    if op == "ne":
        return actual != value
    if op == "in":
        return actual in value
    return actual is not None and str(value).casefold() in str(actual).casefold()


def _matches(trigger: Trigger, interaction: Interaction) -> bool:
    if not interaction.unit_path.startswith(trigger.unit_path):
        return False
    filters = trigger.filters or {}
    if "items" not in filters:  # stored before filters became a tree
        filters = clean_filters(filters)
    return conditions.holds(filters, lambda item: _filter_holds(item, interaction))


def fire_triggers(organization_id: int, interaction_ids: list[int]) -> int:
    """Invite for each matching trigger after its delay; once per trigger and interaction."""
    from voxloop.distribution.tasks import send_invitations

    interactions = contact_selectors.interactions_by_ids(organization_id, interaction_ids)
    type_ids = {i.type_id for i in interactions}
    triggers = list(
        Trigger.objects.filter(
            organization_id=organization_id, is_active=True, interaction_type_id__in=type_ids
        ).select_related("survey")
    )
    made = 0
    for interaction in interactions:
        for trigger in triggers:
            if trigger.interaction_type_id != interaction.type_id or not _matches(
                trigger, interaction
            ):
                continue
            when = max(interaction.occurred_at, timezone.now() - timedelta(days=1)) + timedelta(
                minutes=trigger.delay_minutes
            )
            try:
                with transaction.atomic():
                    invitation = Invitation.objects.create(
                        organization_id=organization_id,
                        unit_path=interaction.contact.unit_path,
                        survey=trigger.survey,
                        contact=interaction.contact,
                        trigger=trigger,
                        interaction=interaction,
                        channel=trigger.channel,
                        locale=definition.pick_locale(trigger.survey, [interaction.contact.locale]),
                        send_after=when,
                        expires_at=when + timedelta(days=trigger.expires_after_days),
                    )
            except IntegrityError:
                continue  # this interaction already invited through this trigger
            made += 1
            pk = invitation.pk
            if when > timezone.now():
                send_invitations.using(run_after=when).enqueue([pk])
            else:
                send_invitations.enqueue([pk])
    return made


def visible_trigger_for(actor: Scope, interaction_type: InteractionType) -> Trigger | None:
    """The organisation's first active trigger on this interaction type (demo history)."""
    return Trigger.objects.filter(
        organization_id=actor.organization_id, interaction_type=interaction_type
    ).first()
