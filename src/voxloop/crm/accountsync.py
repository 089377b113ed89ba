"""Accounts both ways (part of a sync run, `crm.syncing`).

Voxloop's accounts carry no modification time, so a change made in Voxloop is told by a
digest of the account's mapped values kept on its link at the last sync; the moment a sync
first sees the digest differ stands in for the change's time (`local_changed_at`).

- **Pull.** Companies or organisations changed in the CRM are kept through
  `contacts.services.sync_accounts` (new ones at the connector's unit; one outside its
  subtree is a per-record problem). Per mapped field: "the CRM wins" always takes the CRM's
  value; "the newer change wins" takes it unless the account changed in Voxloop since the
  last sync and the CRM's record is not newer than when that change was seen.
- **Push.** Accounts of the subtree whose digest changed go out (linked ones updated, fields
  the CRM wins excepted; others created), at most `PUSH_BATCH` a run: the rest still differ,
  so the next run sends them. A refused account is a per-record problem; a rate limit stops
  the run, to carry on at the next.
- **Idempotent.** One link per (connector, remote id) and per (connector, account); a pass
  repeated finds the same digests and sends nothing."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Account
from voxloop.crm import runtime
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import CrmError, Page, RemoteRecord, Session, get_path
from voxloop.crm.models import (
    ConflictRule,
    CrmConnector,
    Direction,
    FieldMapping,
    RecordKind,
    RecordLink,
)

PUSH_BATCH = 500
IN = (Direction.BOTH, Direction.INBOUND)
OUT = (Direction.BOTH, Direction.OUTBOUND)


def _mappings(connector: CrmConnector, directions: tuple[str, ...]) -> list[FieldMapping]:
    return [
        m
        for m in connector.mappings.all()
        if m.record == RecordKind.ACCOUNT and m.direction in directions
    ]


def local_value(account: Account, local_field: str) -> Any:
    if local_field.startswith("attributes."):
        return (account.attributes or {}).get(local_field.removeprefix("attributes."))
    return getattr(account, local_field, None) if local_field == "name" else None


def digest(connector: CrmConnector, account: Account) -> str:
    values = {
        m.local_field: local_value(account, m.local_field)
        for m in _mappings(connector, (*IN, Direction.OUTBOUND))
    }
    text = json.dumps(values, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _changed_here(
    connector: CrmConnector, link: RecordLink | None, account: Account | None
) -> bool:
    return bool(
        link is not None
        and account is not None
        and link.local_digest
        and link.local_digest != digest(connector, account)
    )


def _take(m: FieldMapping, seen_at: datetime | None, remote: datetime | None) -> bool:
    """Whether the CRM's value of this field replaces Voxloop's."""
    if m.rule == ConflictRule.CRM or seen_at is None:
        return True
    return remote is not None and remote > seen_at


def _values(record: RemoteRecord, taken: list[FieldMapping]) -> dict[str, Any]:
    values: dict[str, Any] = {"attributes": {}}
    for m in taken:
        value = get_path(record.fields, m.remote_field)
        if m.local_field.startswith("attributes."):
            if value not in (None, ""):
                values["attributes"][m.local_field.removeprefix("attributes.")] = value
        elif m.local_field == "name":
            values["name"] = "" if value is None else str(value)
    return values


def store_accounts(*, connector: CrmConnector, page: Page, tally: Any, now: datetime) -> None:
    scope = runtime.scope_of(connector)
    incoming = _mappings(connector, IN)
    links = {
        link.remote_id: link
        for link in RecordLink.objects.filter(
            connector=connector,
            record=RecordKind.ACCOUNT,
            remote_id__in=[r.remote_id for r in page.records],
        )
    }
    local = {
        a.pk: a
        for a in contact_selectors.visible_accounts(scope).filter(
            pk__in=[link.local_id for link in links.values()]
        )
    }
    wanted: dict[str, dict[str, Any]] = {}
    keys: dict[str, str] = {}  # remote id → the Voxloop account's external id
    pending: dict[str, datetime] = {}  # remote id → when Voxloop's kept change was seen
    for record in page.records:
        link = links.get(record.remote_id)
        account = local.get(link.local_id) if link else None
        if link is not None and account is None:
            tally.problems.append(
                {
                    "record": f"account {record.remote_id}",
                    "message": "its Voxloop account was removed or is outside the unit",
                }
            )
            continue
        keys[record.remote_id] = (
            account.external_id if account else f"{connector.kind}:{record.remote_id}"
        )
        seen_at = None
        if _changed_here(connector, link, account):
            assert link is not None
            seen_at = link.local_changed_at or now
        taken = [m for m in incoming if _take(m, seen_at, record.modified_at)]
        if seen_at is not None and len(taken) < len(incoming):
            pending[record.remote_id] = seen_at
        wanted[keys[record.remote_id]] = _values(record, taken)
    kept = contact_services.sync_accounts(actor=scope, unit=connector.unit, accounts=wanted)
    for record in page.records:
        if record.remote_id not in keys:
            continue
        account = kept.get(keys[record.remote_id])
        if account is None:
            tally.problems.append(
                {
                    "record": f"account {record.remote_id}",
                    "message": "an account with this id belongs to another unit",
                }
            )
            continue
        link = links.get(record.remote_id)
        if link is not None:
            tally.updated += 1
        else:
            tally.created += 1
        if record.remote_id in pending:
            assert link is not None
            # Voxloop's change is kept and still to be sent: the old digest stays.
            link.local_changed_at = pending[record.remote_id]
            link.remote_modified_at = record.modified_at
            link.synced_at = now
            link.save(update_fields=["local_changed_at", "remote_modified_at", "synced_at"])
            continue
        keep(connector, account, record.remote_id, record.modified_at, now, link)


def keep(
    connector: CrmConnector,
    account: Account,
    remote_id: str,
    remote_time: datetime | None,
    now: datetime,
    link: RecordLink | None,
) -> None:
    """The account and its CRM record agree as of now: remember the digest."""
    if link is None:
        link, _ = RecordLink.objects.get_or_create(
            connector=connector,
            record=RecordKind.ACCOUNT,
            local_id=account.pk,
            defaults={"remote_id": remote_id, "synced_at": now},
        )
        if link.remote_id != remote_id:
            return  # linked to another CRM record first: that link stays
    link.local_digest = digest(connector, account)
    link.local_changed_at = None
    link.remote_modified_at = remote_time
    link.synced_at = now
    link.save(update_fields=["local_digest", "local_changed_at", "remote_modified_at", "synced_at"])


def push_accounts(*, connector: CrmConnector, session: Session, tally: Any, now: datetime) -> None:
    """Accounts changed in Voxloop (or never sent) since the last sync, to the CRM."""
    outgoing = _mappings(connector, OUT)
    if not outgoing:
        return
    provider = provider_of(connector.kind)
    links = {
        link.local_id: link
        for link in RecordLink.objects.filter(connector=connector, record=RecordKind.ACCOUNT)
    }
    sent = 0
    accounts = contact_selectors.visible_accounts(runtime.scope_of(connector)).order_by("pk")
    for account in accounts.iterator(chunk_size=500):
        link = links.get(account.pk)
        if link is not None and not link.local_digest:
            keep(connector, account, link.remote_id, link.remote_modified_at, now, link)
            continue  # linked before digests were kept: today's values are the baseline
        if link is not None and not _changed_here(connector, link, account):
            continue
        if sent >= PUSH_BATCH:
            return
        fields = {
            m.remote_field: local_value(account, m.local_field)
            for m in outgoing
            if link is None or m.rule != ConflictRule.CRM
        }
        fields = {k: v for k, v in fields.items() if v not in (None, "")}
        if not fields:
            continue
        try:
            remote_id = provider.push(session, "account", link.remote_id if link else "", fields)
        except CrmError as error:
            if error.transient:
                raise
            tally.problems.append(
                {"record": f"Voxloop account {account.external_id}", "message": str(error)}
            )
            continue
        sent += 1
        if remote_id:
            tally.pushed += 1
            keep(connector, account, remote_id, now, now, link)
