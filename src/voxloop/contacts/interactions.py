"""Interaction events (ticket closed, visit, purchase…) in batches, from the API or a CSV.

Each event names its contact (external id or email), its type (configured per organisation)
and optionally a unit, staff member, channel, time and attributes. An event the sender already
sent (same external id) is counted as a duplicate, not stored twice. When the batch commits,
`interactions_recorded` fires so triggers can invite the contact.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.importing import RowReport
from voxloop.contacts.models import Contact, Interaction, InteractionType
from voxloop.contacts.signals import interactions_recorded
from voxloop.contacts.tables import read_table
from voxloop.errors import InvalidInput, NotFound
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, Staff
from voxloop.tenancy.scoping import Capability, Scope

COLUMNS = {
    "type",
    "contact",
    "contact_email",
    "unit",
    "staff",
    "channel",
    "external_id",
    "occurred_at",
}
MAX_BATCH = 1000


@dataclass
class InteractionReport(RowReport):
    created: int = 0
    duplicates: int = 0
    ids: list[int] = field(default_factory=list)


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


def record_interactions(*, actor: Scope, records: Iterable[dict[str, Any]]) -> InteractionReport:
    """Store a batch of events; bad ones are reported by line and skipped."""
    if not (actor.can(Capability.CONFIGURE) or actor.can(Capability.ACT)):
        actor.require(Capability.CONFIGURE)
    report = InteractionReport()
    lookups = _Lookups(actor)
    batch: list[tuple[int, Interaction]] = []
    for line, record in enumerate(records, start=1):
        report.rows += 1
        try:
            batch.append((line, _event(actor, record, lookups)))
        except _Bad as error:
            report.fail(line, error.column, error.message)
        if len(batch) >= MAX_BATCH:
            _store(actor, batch, report)
            batch = []
    if batch:
        _store(actor, batch, report)
    return report


def import_interactions_file(*, actor: Scope, path: str | os.PathLike[str]) -> InteractionReport:
    """The same from a CSV/XLSX file: known columns, every other column an attribute."""
    table = read_table(path)
    header = [(h or "").strip() for h in table.header]
    if "type" not in header or not ({"contact", "contact_email"} & set(header)):
        raise InvalidInput("The file needs a type and a contact (or contact_email) column.", "file")

    def records() -> Iterator[dict[str, Any]]:
        for _line, values in table.rows:
            if not isinstance(values, list):
                yield {"__invalid__": values.message}
                continue
            record: dict[str, Any] = {"attributes": {}}
            for name, value in zip(header, values, strict=False):
                if value in (None, ""):
                    continue
                if name in COLUMNS:
                    record[name] = value if isinstance(value, datetime) else str(value).strip()
                elif name:
                    record["attributes"][name] = value
            yield record

    return record_interactions(actor=actor, records=records())


class _Lookups:
    """What a batch names by key or code, looked up inside the actor's subtree only, once per
    distinct value: something outside the subtree answers exactly like something absent."""

    def __init__(self, actor: Scope) -> None:
        self.actor = actor
        self.types = list(contact_selectors.interaction_types(actor, archived=False))
        self._staff: dict[str, Staff | None] = {}
        self._units: dict[str, OrgUnit | None] = {}

    def type_at(self, key: str, unit: OrgUnit) -> InteractionType | None:
        return contact_selectors.interaction_type_at(self.types, key, unit.path)

    def staff(self, code: str) -> Staff | None:
        if code not in self._staff:
            self._staff[code] = tenancy_selectors.staff_by_code(self.actor, code)
        return self._staff[code]

    def unit(self, code: str) -> OrgUnit | None:
        if code not in self._units:
            try:
                self._units[code] = tenancy_selectors.unit_by_code(self.actor, code)
            except NotFound:
                self._units[code] = None
        return self._units[code]

    def known_keys(self) -> str:
        return ", ".join(sorted({t.key for t in self.types})) or "none defined yet"


def _event(actor: Scope, record: Any, lookups: _Lookups) -> Interaction:
    if not isinstance(record, dict):
        raise _Bad("", "each event is an object")
    if "__invalid__" in record:
        raise _Bad("", record["__invalid__"])
    unknown = set(record) - COLUMNS - {"attributes"}
    if unknown:
        raise _Bad(sorted(unknown)[0], "unknown field")
    contacts = actor.filter(Contact.objects.select_related("home_unit"), path_field="unit_path")
    if record.get("contact"):
        contact = contacts.filter(external_id=str(record["contact"])).first()
    elif record.get("contact_email"):
        contact = contacts.filter(email__iexact=str(record["contact_email"])).first()
    else:
        raise _Bad("contact", "name the contact (contact or contact_email)")
    if contact is None:
        raise _Bad("contact", "no such contact in your scope")
    unit = contact.home_unit
    if record.get("unit"):
        named = lookups.unit(str(record["unit"]))
        if named is None:
            raise _Bad("unit", f"no unit with the code '{record['unit']}' in your scope")
        unit = named
    kind = lookups.type_at(str(record.get("type") or ""), unit)
    if kind is None:
        raise _Bad(
            "type",
            f"unknown interaction type '{record.get('type')}' at {unit.code} "
            f"(known in your scope: {lookups.known_keys()})",
        )
    staff = None
    if record.get("staff"):
        staff = lookups.staff(str(record["staff"]))
        if staff is None:
            raise _Bad("staff", f"no staff member with the code '{record['staff']}' in your scope")
    occurred = record.get("occurred_at") or timezone.now()
    if isinstance(occurred, str):
        occurred = parse_datetime(occurred)
        if occurred is None:
            raise _Bad("occurred_at", "not an ISO 8601 date and time")
    if timezone.is_naive(occurred):
        occurred = timezone.make_aware(occurred, timezone.get_current_timezone())
    if occurred > timezone.now() + timedelta(minutes=5):
        raise _Bad("occurred_at", "lies in the future")
    attributes = record.get("attributes") or {}
    if not isinstance(attributes, dict):
        raise _Bad("attributes", "attributes is an object")
    attributes = {
        str(k): (v.isoformat() if isinstance(v, datetime) else v) for k, v in attributes.items()
    }
    external_id = str(record.get("external_id") or "")[:100] or None
    return Interaction(
        organization_id=actor.organization_id,
        type=kind,
        contact=contact,
        unit=unit,
        unit_path=unit.path,
        staff=staff,
        channel=str(record.get("channel") or "")[:40],
        external_id=external_id,
        occurred_at=occurred,
        attributes=attributes,
    )


def _store(actor: Scope, batch: list[tuple[int, Interaction]], report: InteractionReport) -> None:
    ids = {i.external_id for _, i in batch if i.external_id}
    already = set(
        Interaction.objects.filter(
            organization_id=actor.organization_id, external_id__in=ids
        ).values_list("external_id", flat=True)
    )
    fresh, seen = [], set()
    for _line, interaction in batch:
        key = interaction.external_id
        if key and (key in already or key in seen):
            report.duplicates += 1
            continue
        if key:
            seen.add(key)
        fresh.append(interaction)
    with transaction.atomic():
        Interaction.objects.bulk_create(fresh)  # sets ids on SQLite ≥ 3.35 and PostgreSQL
        created = [i.pk for i in fresh]
        org_id = actor.organization_id
        transaction.on_commit(
            lambda: interactions_recorded.send(
                Interaction, organization_id=org_id, interaction_ids=created
            )
        )
    report.created += len(created)
    report.ids.extend(created[: MAX_BATCH * 10])


def import_history(*, actor: Scope, interactions: Iterable[Interaction]) -> int:
    """Load past events (demo, migrations from another tool): stored like live ones, but no
    `interactions_recorded` event, so the past never invites anyone today."""
    actor.require(Capability.CONFIGURE)
    batch, written = [], 0
    for interaction in interactions:
        interaction.organization_id = actor.organization_id
        if interaction.unit is None:
            raise InvalidInput("Every interaction needs its unit.", field="unit")
        interaction.unit_path = interaction.unit.path
        batch.append(interaction)
        if len(batch) >= MAX_BATCH:
            Interaction.objects.bulk_create(batch)
            written, batch = written + len(batch), []
    if batch:
        Interaction.objects.bulk_create(batch)
        written += len(batch)
    return written
