"""Every write about web widgets: create, change, switch on and off (each in the audit log).

What a visitor's page may do with a widget (the loader, the show-or-not decision, the framed
survey) is in distribution.widget.visits.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from voxloop.distribution.models import Widget, WidgetPosition, new_identity_secret
from voxloop.distribution.services import check_owned
from voxloop.errors import Forbidden, InvalidInput
from voxloop.origins import normal_origin
from voxloop.surveys.models import Survey, SurveyStatus
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MAX_ORIGINS = 20
MAX_PATTERNS = 20
MAX_DELAY_SECONDS = 3600
MAX_SUPPRESS_DAYS = 365
# A path pattern: a path with * for any run of characters; nothing a URL would escape.
PATTERN = re.compile(r"^/[A-Za-z0-9._~!$&'()+,;=:@%/*-]{0,199}$")
SETTINGS = (
    "name",
    "allowed_origins",
    "url_patterns",
    "delay_seconds",
    "manual_only",
    "sample_percent",
    "suppress_days",
    "position",
)


def _origins(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, list | tuple):
        raise InvalidInput("Allowed origins are a list of addresses.", field="allowed_origins")
    origins: list[str] = []
    for value in values:
        origin = normal_origin(value)
        if not origin:
            raise InvalidInput(
                f"'{str(value)[:80]}' is not an origin like https://shop.example.com.",
                field="allowed_origins",
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise InvalidInput(f"At most {MAX_ORIGINS} origins.", field="allowed_origins")
    return origins


def _patterns(values: Any) -> list[str]:
    if isinstance(values, str):
        values = values.split()
    if not isinstance(values, list | tuple):
        raise InvalidInput("Pages are a list of path patterns.", field="url_patterns")
    patterns: list[str] = []
    for value in values:
        text = str(value).strip()
        if not PATTERN.match(text):
            raise InvalidInput(
                f"'{text[:80]}' is not a path pattern like /checkout/*.", field="url_patterns"
            )
        if text not in patterns:
            patterns.append(text)
    if len(patterns) > MAX_PATTERNS:
        raise InvalidInput(f"At most {MAX_PATTERNS} page patterns.", field="url_patterns")
    return patterns


def _whole(value: Any, name: str, top: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise InvalidInput(f"{name} is a whole number from 0 to {top}.", field=name)
    return value


def _apply(widget: Widget, fields: dict[str, Any]) -> dict[str, Any]:
    """Set the given settings, checked; returns what changed (for the audit log)."""
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in SETTINGS:
            raise InvalidInput(f"Unknown widget setting '{name}'.", field=name)
        if name == "name":
            value = str(value or "").strip()
            if not value or len(value) > 200 or "\x00" in value:
                raise InvalidInput("Give the widget a name (up to 200 characters).", "name")
        elif name == "allowed_origins":
            value = _origins(value)
        elif name == "url_patterns":
            value = _patterns(value)
        elif name == "delay_seconds":
            value = _whole(value, name, MAX_DELAY_SECONDS)
        elif name == "sample_percent":
            value = _whole(value, name, 100)
        elif name == "suppress_days":
            value = _whole(value, name, MAX_SUPPRESS_DAYS)
        elif name == "manual_only":
            if not isinstance(value, bool):
                raise InvalidInput("manual_only is true or false.", field=name)
        elif name == "position" and value not in WidgetPosition.values:
            raise InvalidInput("The position is bottom-right or bottom-left.", field=name)
        if getattr(widget, name) != value:
            changed[name] = value
        setattr(widget, name, value)
    return changed


def _check_place(actor: Scope, unit: OrgUnit, survey: Survey) -> None:
    check_owned(
        actor=actor, unit=unit, survey=survey, segment=None
    )  # as for campaigns and triggers
    if survey.status == SurveyStatus.CLOSED:
        raise InvalidInput("This survey is closed.", field="survey")
    if not unit.path.startswith(survey.unit_path):
        raise InvalidInput("This unit does not take part in the survey.", field="unit")


def _check_owned(actor: Scope, widget: Widget) -> None:
    actor.require(Capability.CONFIGURE)
    if widget.organization_id != actor.organization_id or not actor.covers_path(widget.unit_path):
        raise Forbidden("This widget is outside your part of the organisation.")


def create_widget(*, actor: Scope, unit: OrgUnit, survey: Survey, **fields: Any) -> Widget:
    _check_place(actor, unit, survey)
    widget = Widget(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        survey=survey,
        created_by_id=actor.user_id,
    )
    fields.setdefault("name", "")
    changes = _apply(widget, fields)
    with transaction.atomic():
        widget.save()
        record_audit(
            actor=actor,
            action="widget.create",
            target=widget,
            changes={"survey": survey.pk, **changes},
        )
    return widget


def update_widget(
    *,
    actor: Scope,
    widget: Widget,
    unit: OrgUnit | None = None,
    survey: Survey | None = None,
    **fields: Any,
) -> Widget:
    _check_owned(actor, widget)
    changes = _apply(widget, fields)
    if unit is not None or survey is not None:
        unit, survey = unit or widget.unit, survey or widget.survey
        _check_place(actor, unit, survey)
        if unit.pk != widget.unit_id:
            changes["unit"] = unit.pk
        if survey.pk != widget.survey_id:
            changes["survey"] = survey.pk
        widget.unit, widget.unit_path, widget.survey = unit, unit.path, survey
    with transaction.atomic():
        widget.save()
        if changes:
            record_audit(actor=actor, action="widget.update", target=widget, changes=changes)
    return widget


def set_widget_active(*, actor: Scope, widget: Widget, active: bool) -> Widget:
    _check_owned(actor, widget)
    with transaction.atomic():
        widget.is_active = active
        widget.save(update_fields=["is_active", "updated_at"])
        record_audit(
            actor=actor, action="widget.activate" if active else "widget.deactivate", target=widget
        )
    return widget


def identity_secret(*, actor: Scope, widget: Widget) -> str:
    """The secret the customer's server signs user ids with: for those who configure it."""
    _check_owned(actor, widget)
    return widget.identity_secret


def rotate_identity_secret(*, actor: Scope, widget: Widget) -> Widget:
    """A new identity secret: user hashes signed with the old one stop working at once."""
    _check_owned(actor, widget)
    with transaction.atomic():
        widget.identity_secret = new_identity_secret()
        widget.save(update_fields=["identity_secret", "updated_at"])
        record_audit(actor=actor, action="widget.rotate_identity_secret", target=widget)
    return widget


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    """Keep the copied unit paths right when a unit moves (called on tenancy's unit_moved)."""
    from voxloop.tenancy.models import repath_copies

    repath_copies(Widget.objects.filter(organization_id=organization_id), old_path, new_path)
