"""Customers leaving and coming back: status changes of contacts and B2B accounts, one at a
time (admin) or in batches from a CRM (API), each kept as history for churn rates.

A change dated before the customer's latest one is history filled in late: it is stored and
counted in its period, but the current status stays that of the latest change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from voxloop.contacts import churn_rollup
from voxloop.contacts.importing import RowReport
from voxloop.contacts.models import Account, Contact, CustomerStatus, StatusChange
from voxloop.errors import Forbidden, InvalidInput
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

KINDS: dict[str, type[Contact] | type[Account]] = {"contact": Contact, "account": Account}
SOURCES = ("api", "admin", "import", "crm", "demo")


def record_status(
    *,
    actor: Scope,
    customer: Contact | Account,
    status: str,
    at: datetime | None = None,
    source: str = "api",
    reason: str = "",
) -> StatusChange | None:
    """Record that a customer churned or became active again; None when nothing changes."""
    actor.require(Capability.CONFIGURE)
    if customer.organization_id != actor.organization_id or not actor.covers_path(
        customer.unit_path
    ):
        raise Forbidden("This customer is outside your part of the organisation.")
    if status not in CustomerStatus.values:
        raise InvalidInput("'status' must be 'active' or 'churned'.", field="status")
    at = at or timezone.now()
    if at > timezone.now() + timedelta(days=1):
        raise InvalidInput("A status change cannot be dated in the future.", field="at")
    history = customer.status_changes.order_by("-changed_at", "-id")
    before = history.filter(changed_at__lte=at).values_list("status", flat=True).first()
    if (before or CustomerStatus.ACTIVE) == status:
        return None
    owner = "contact" if isinstance(customer, Contact) else "account"
    with transaction.atomic():
        change = StatusChange.objects.create(
            organization_id=actor.organization_id,
            unit_path=customer.unit_path,
            status=status,
            changed_at=at,
            source=source if source in SOURCES else "api",
            reason=(reason or "")[:200],
            **{owner: customer},
        )
        if not history.filter(changed_at__gt=at).exists():
            customer.status = status
            customer.churned_at = at if status == CustomerStatus.CHURNED else None
            customer.save(update_fields=["status", "churned_at"])
        record_audit(
            actor=actor,
            action=f"{owner}.status",
            target=customer,
            changes={"status": status, "at": at.isoformat()},
        )
    return change


@dataclass
class StatusReport(RowReport):
    recorded: int = 0
    unchanged: int = 0


def record_statuses(
    *, actor: Scope, records: Iterable[dict[str, Any]], source: str = "api"
) -> StatusReport:
    """A CRM's batch of {kind, external_id, status, at, reason}; bad rows are reported by
    line and skipped, the good ones kept."""
    actor.require(Capability.CONFIGURE)
    report = StatusReport()
    for line, record in enumerate(records, start=1):
        report.rows += 1
        try:
            customer, status, at = _parse(actor, record)
            change = record_status(
                actor=actor,
                customer=customer,
                status=status,
                at=at,
                source=source,
                reason=record.get("reason", ""),
            )
        except InvalidInput as error:
            report.fail(line, error.field or "", error.message)
            continue
        except Forbidden as error:
            report.fail(line, "external_id", error.message)
            continue
        if change is None:
            report.unchanged += 1
        else:
            report.recorded += 1
    return report


def _parse(actor: Scope, record: Any) -> tuple[Contact | Account, str, datetime | None]:
    if not isinstance(record, dict):
        raise InvalidInput("Each row is an object {kind, external_id, status, at}.", "row")
    kind = str(record.get("kind") or "contact")
    if kind not in KINDS:
        raise InvalidInput("'kind' must be 'contact' or 'account'.", field="kind")
    external_id = str(record.get("external_id") or "").strip()
    if not external_id:
        raise InvalidInput("Give the customer's external_id.", field="external_id")
    customer = (
        KINDS[kind]
        .objects.filter(organization_id=actor.organization_id, external_id=external_id)
        .first()
    )
    if customer is None or not actor.covers_path(customer.unit_path):
        raise InvalidInput(f"No {kind} with external_id '{external_id[:100]}'.", "external_id")
    at = None
    if record.get("at"):
        at = parse_datetime(str(record["at"]))
        if at is None:
            raise InvalidInput("'at' must be a date-time such as 2026-11-30T09:00:00Z.", "at")
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
    return customer, str(record.get("status") or ""), at


def seed_history(
    *, actor: Scope, changes: Iterable[tuple[Contact, str, datetime]], source: str = "import"
) -> int:
    """Load the churn history of contacts that have none yet (demo, a first CRM load) in
    bulk: each contact's changes in time order; its last one becomes its current status."""
    actor.require(Capability.CONFIGURE)
    rows, latest = [], {}
    for contact, status, at in sorted(changes, key=lambda c: (c[0].pk, c[2])):
        if status not in CustomerStatus.values or not actor.covers_path(contact.unit_path):
            raise InvalidInput(f"Cannot record '{status}' for contact {contact.pk}.", "status")
        rows.append(
            StatusChange(
                organization_id=actor.organization_id,
                contact=contact,
                unit_path=contact.unit_path,
                status=status,
                changed_at=at,
                source=source if source in SOURCES else "import",
            )
        )
        latest[contact.pk] = (status, at)
    with transaction.atomic():
        StatusChange.objects.bulk_create(rows, batch_size=1000)
        for pk, (status, at) in latest.items():
            churned_at = at if status == CustomerStatus.CHURNED else None
            Contact.objects.filter(pk=pk).update(status=status, churned_at=churned_at)
        # bulk_create sends no post_save: the churn rollup counts the new history here.
        churn_rollup.reconcile(kind="contact", ids=list(latest))
        record_audit(
            actor=actor,
            action="contact.status_history",
            target=None,
            changes={"changes": len(rows)},
        )
    return len(rows)
