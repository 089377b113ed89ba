"""Contacts and accounts both ways on a schedule (system work: tasks, "sync now").

- **Pull.** Each record kind is read page by page from the provider, changed since the last
  complete pass; the cursor (`since`, page token, when the pass began) is saved after every
  page, so a pass stopped by a rate limit or a killed worker carries on where it was. Contacts
  are written through `contacts.importing.import_records` under the connector's scope (an
  admin of its unit): new ones land at the connector's unit, one outside that subtree is a
  per-record problem, never a change. A remote record is matched by its link, else by email.
- **Conflicts.** Per mapped field: "the CRM wins" takes the CRM's value on every pull and
  never pushes over it; "the newer change wins" takes the CRM's value unless the contact
  changed in Voxloop since the last sync and later than the CRM's record.
- **Push.** Contacts of the subtree changed in Voxloop since the last push go out (linked ones
  updated, new ones with an email created), fields the CRM wins excepted. Accounts go both
  ways with the same rules (`crm.accountsync`).
- **Case status.** Each run also asks for the state of the tickets or tasks linked to recent
  cases and follows those that changed (`casestatus.poll`).
- **Idempotent.** One link per (connector, remote id) and per (connector, contact); a pass
  repeated writes the same values again and creates nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from voxloop.contacts import importing as contact_importing
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact
from voxloop.crm import accountsync, casestatus, runtime
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import CrmError, Page, RemoteRecord, Session, get_path
from voxloop.crm.models import (
    ActivityKind,
    ConflictRule,
    CrmConnector,
    Direction,
    FieldMapping,
    RecordKind,
    RecordLink,
)

log = logging.getLogger(__name__)
PAGES_PER_RUN = 100  # then the task enqueues itself again: one connector never hogs a worker
PUSH_BATCH = 500
CONTACT_FIELDS = ("email", "first_name", "last_name", "name", "phone", "locale")
ACCOUNT_FIELDS = ("name",)


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    pushed: int = 0
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_counts(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "pushed": self.pushed}


@dataclass
class SyncOutcome:
    tally: Tally
    finished: bool
    retry_in: timedelta | None = None  # timedelta(0): carry on at once
    error: str = ""


def mappings(connector: CrmConnector, record: str, directions: tuple[str, ...]) -> list:
    return [m for m in connector.mappings.all() if m.record == record and m.direction in directions]


def _parsed(since: Any) -> datetime | None:
    return datetime.fromisoformat(since) if since else None


# --- pull ------------------------------------------------------------------------------------


def _contact_values(record: RemoteRecord, taken: list[FieldMapping]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    attributes: dict[str, Any] = {}
    for m in taken:
        value = get_path(record.fields, m.remote_field)
        value = "" if value is None else value
        if m.local_field.startswith("attributes."):
            if value != "":
                attributes[m.local_field.removeprefix("attributes.")] = value
        elif m.local_field == "name":
            first, _, last = str(value).strip().partition(" ")
            row["first_name"], row["last_name"] = first[:100], last[:100]
        else:
            row[m.local_field] = str(value).strip()
    if "email" in row:
        row["email"] = row["email"].lower()
        if not row["email"]:
            del row["email"]  # an empty address in the CRM never erases Voxloop's
    if attributes:
        row["attributes"] = attributes
    return row


def _take(m: FieldMapping, link: RecordLink | None, local: datetime | None, remote: Any) -> bool:
    """Whether the CRM's value of this field replaces Voxloop's."""
    if m.rule == ConflictRule.CRM or (link is None and local is None):
        return True
    changed_here = local is not None and (
        link is None or link.local_synced_at is None or local > link.local_synced_at
    )
    return not changed_here or remote is None or local is None or remote > local


def store_contacts(*, connector: CrmConnector, page: Page, tally: Tally, now: datetime) -> None:
    scope = runtime.scope_of(connector)
    incoming = mappings(connector, RecordKind.CONTACT, (Direction.BOTH, Direction.INBOUND))
    ids = [r.remote_id for r in page.records]
    links = {
        link.remote_id: link
        for link in RecordLink.objects.filter(
            connector=connector, record=RecordKind.CONTACT, remote_id__in=ids
        )
    }
    visible = contact_selectors.visible_contacts(scope)
    linked = {c.pk: c for c in visible.filter(pk__in=[link.local_id for link in links.values()])}
    full = {r.remote_id: _contact_values(r, incoming) for r in page.records}
    emails = {v["email"] for v in full.values() if v.get("email")}
    by_email = {c.email: c for c in visible.filter(email__in=emails)} if emails else {}
    rows: list[dict[str, Any]] = []
    sent: list[tuple[RemoteRecord, RecordLink | None]] = []
    for record in page.records:
        link = links.get(record.remote_id)
        values = full[record.remote_id]
        contact: Contact | None = linked.get(link.local_id) if link else None
        if link is not None and contact is None:
            tally.problems.append(
                {
                    "record": f"contact {record.remote_id}",
                    "message": "its Voxloop contact was removed or is outside the unit",
                }
            )
            continue
        if contact is None and values.get("email"):
            contact = by_email.get(values["email"])
        local = contact.updated_at if contact else None
        taken = [m for m in incoming if _take(m, link, local, record.modified_at)]
        row = _contact_values(record, taken)
        if contact is not None:
            row["external_id"] = contact.external_id
        else:
            row["external_id"] = values.get("email") or f"{connector.kind}-{record.remote_id}"
            row["unit"] = connector.unit.code
        rows.append(row)
        sent.append((record, link))
    if not rows:
        return
    report = contact_importing.import_records(actor=scope, records=rows)
    failed = set()
    for error in report.errors:
        record = sent[error.line - 1][0]
        failed.add(record.remote_id)
        tally.problems.append(
            {
                "record": f"contact {record.remote_id}",
                "message": f"{error.column}: {error.message}" if error.column else error.message,
            }
        )
    tally.created += report.created
    tally.updated += report.updated
    keys = {row["external_id"] for row in rows}
    contacts = {c.external_id: c for c in visible.filter(external_id__in=keys)}
    with transaction.atomic():
        for (record, link), row in zip(sent, rows, strict=True):
            contact = contacts.get(row["external_id"])
            if record.remote_id in failed or contact is None:
                continue
            synced = contact.updated_at
            if link is not None and link.local_synced_at and synced > link.local_synced_at:
                synced = link.local_synced_at  # a change made here still waits to be pushed
            _link(connector, RecordKind.CONTACT, contact.pk, record, synced, now, link)


def _link(
    connector: CrmConnector,
    record: str,
    local_id: int,
    remote: RemoteRecord,
    local_time: datetime | None,
    now: datetime,
    link: RecordLink | None,
) -> None:
    if link is None:
        # A contact linked to another remote record keeps its first link (a duplicate in the
        # CRM is reported by the CRM's own tools, not merged here).
        link, _ = RecordLink.objects.get_or_create(
            connector=connector,
            record=record,
            local_id=local_id,
            defaults={"remote_id": remote.remote_id, "synced_at": now},
        )
        if link.remote_id != remote.remote_id:
            return
    link.remote_modified_at = remote.modified_at
    link.local_synced_at = local_time
    link.synced_at = now
    link.save(update_fields=["remote_modified_at", "local_synced_at", "synced_at"])


# --- push ------------------------------------------------------------------------------------


def _local_value(contact: Contact, local_field: str) -> Any:
    if local_field.startswith("attributes."):
        return (contact.attributes or {}).get(local_field.removeprefix("attributes."))
    if local_field == "name":
        return f"{contact.first_name} {contact.last_name}".strip()
    return getattr(contact, local_field, None)


def push_contacts(
    *, connector: CrmConnector, session: Session, tally: Tally, now: datetime
) -> None:
    """Contacts changed in Voxloop since the last push; a transient error stops the push and
    keeps its cursor at the last contact sent."""
    provider = provider_of(connector.kind)
    outgoing = mappings(connector, RecordKind.CONTACT, (Direction.BOTH, Direction.OUTBOUND))
    if not outgoing:
        return
    pushed = dict(connector.cursor.get("pushed") or {})
    since = _parsed(pushed.get("contact")) or connector.created_at
    scope = runtime.scope_of(connector)
    changed = list(
        contact_selectors.visible_contacts(scope)
        .filter(updated_at__gt=since)
        .order_by("updated_at", "pk")[:PUSH_BATCH]
    )
    links = {
        link.local_id: link
        for link in RecordLink.objects.filter(
            connector=connector, record=RecordKind.CONTACT, local_id__in=[c.pk for c in changed]
        )
    }
    for contact in changed:
        link = links.get(contact.pk)
        if link is not None and link.local_synced_at and contact.updated_at <= link.local_synced_at:
            continue  # what the last pull wrote, not a change made in Voxloop
        if link is None and not contact.email:
            continue
        fields = {
            m.remote_field: _local_value(contact, m.local_field)
            for m in outgoing
            if link is None or m.rule != ConflictRule.CRM
        }
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        if fields:
            try:
                remote_id = provider.push(
                    session, "contact", link.remote_id if link else "", fields
                )
            except CrmError as error:
                if error.transient:
                    raise
                tally.problems.append(
                    {"record": f"Voxloop contact {contact.external_id}", "message": str(error)}
                )
                remote_id = ""
            if remote_id:
                tally.pushed += 1
                remote = RemoteRecord(remote_id, now, {})
                _link(
                    connector, RecordKind.CONTACT, contact.pk, remote, contact.updated_at, now, link
                )
        pushed["contact"] = contact.updated_at.isoformat()
        connector.cursor = {**connector.cursor, "pushed": pushed}
        CrmConnector.objects.filter(pk=connector.pk).update(cursor=connector.cursor)


# --- one run ---------------------------------------------------------------------------------

STORE = {RecordKind.CONTACT: store_contacts, RecordKind.ACCOUNT: accountsync.store_accounts}


def sync(connector_id: int, now: datetime | None = None) -> SyncOutcome:
    """Carry each record kind's pass on from its cursor, then push; stop at the page limit, a
    rate limit or a failure (the next attempt waits for Retry-After or the backoff)."""
    now = now or timezone.now()
    tally = Tally()
    connector = (
        CrmConnector.objects.select_related("unit").filter(pk=connector_id, is_active=True).first()
    )
    if connector is None:
        return SyncOutcome(tally, True)
    provider = provider_of(connector.kind)
    session = runtime.session_of(connector)
    kinds = [RecordKind.CONTACT] if connector.sync_contacts else []
    if connector.sync_accounts and provider.objects.get("account"):
        kinds.append(RecordKind.ACCOUNT)
    pages = 0
    try:
        for record in kinds:
            state = dict(connector.cursor.get(record) or {})
            started = state.get("started") or now.isoformat()
            fields = tuple(
                m.remote_field
                for m in mappings(connector, record, (Direction.BOTH, Direction.INBOUND))
            )
            while True:
                if pages >= PAGES_PER_RUN:
                    _finish(connector, tally, now, done=False)
                    return SyncOutcome(tally, False, timedelta(0))
                page = provider.page(
                    session, record, _parsed(state.get("since")), str(state.get("page", "")), fields
                )
                pages += 1
                tally.problems.extend(page.problems)
                STORE[record](connector=connector, page=page, tally=tally, now=now)
                if page.next_token:
                    state.update(page=page.next_token, started=started)
                else:
                    state = {"since": started}
                connector.cursor = {**connector.cursor, record: state}
                CrmConnector.objects.filter(pk=connector.pk).update(cursor=connector.cursor)
                if not page.next_token:
                    break
        if connector.sync_contacts:
            push_contacts(connector=connector, session=session, tally=tally, now=now)
        if RecordKind.ACCOUNT in kinds:
            accountsync.push_accounts(connector=connector, session=session, tally=tally, now=now)
        if connector.cases_to_tickets:
            casestatus.poll(connector=connector, session=session, now=now)
    except CrmError as error:
        return _failed(connector, error, tally, now)
    _finish(connector, tally, now, done=True)
    return SyncOutcome(tally, True)


def _finish(connector: CrmConnector, tally: Tally, now: datetime, *, done: bool) -> None:
    counts = tally.as_counts()
    summary = (
        f"Sync: {tally.created} created, {tally.updated} updated in Voxloop, "
        f"{tally.pushed} sent to the CRM, {len(tally.problems)} records with problems"
    )
    runtime.log(
        connector,
        ActivityKind.SYNC,
        summary + ("" if done else " (continuing)"),
        ok=not tally.problems,
        counts=counts,
        problems=tally.problems,
    )
    if not done:
        return
    connector.failures = 0
    connector.last_error = ""
    connector.last_synced_at = now
    connector.next_sync_at = now + timedelta(minutes=connector.interval_minutes)
    CrmConnector.objects.filter(pk=connector.pk).update(
        failures=0, last_error="", last_synced_at=now, next_sync_at=connector.next_sync_at
    )


def _failed(connector: CrmConnector, error: CrmError, tally: Tally, now: datetime) -> SyncOutcome:
    failures = min(connector.failures + 1, 1000)
    if error.transient:
        wait = runtime.backoff(failures, error.retry_after)
    else:
        wait = timedelta(minutes=connector.interval_minutes)
    CrmConnector.objects.filter(pk=connector.pk).update(
        failures=failures, last_error=str(error)[:500], next_sync_at=now + wait
    )
    runtime.log(
        connector,
        ActivityKind.SYNC,
        f"Sync stopped: {error} — next try in {int(wait.total_seconds())} s",
        ok=False,
        counts=tally.as_counts(),
        problems=tally.problems,
    )
    log.warning("crm: %s (connector %s) — next try in %s", error, connector.pk, wait)
    return SyncOutcome(tally, False, wait if error.transient else None, str(error))
