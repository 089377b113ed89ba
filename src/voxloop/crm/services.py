"""Every write admins make to CRM connectors: connect (API token, or OAuth in `oauth.py`),
settings, the field mapping, "sync now" and disconnect. Each checks the role and the subtree
and is audited; credentials are sealed (`voxloop.sealing`) and never written to the log."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from voxloop import sealing
from voxloop.contacts import selectors as contact_selectors
from voxloop.crm import runtime
from voxloop.crm.connectors import CONNECTORS
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import DEMO_URL
from voxloop.crm.demo_mode import DEMO_KINDS
from voxloop.crm.models import (
    ActivityKind,
    ConflictRule,
    CrmConnector,
    CrmKind,
    Direction,
    FieldMapping,
    RecordKind,
)
from voxloop.crm.syncing import ACCOUNT_FIELDS, CONTACT_FIELDS
from voxloop.errors import InvalidInput, NotFound
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MIN_INTERVAL, MAX_INTERVAL = 15, 7 * 24 * 60
REMOTE_FIELD = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,119}$")
ATTRIBUTE = re.compile(r"^attributes\.[A-Za-z0-9_]{1,60}$")
# Secrets the OAuth flow fills in: never typed, never listed.
OAUTH_TOKENS = ("access_token", "refresh_token", "expires_at", "instance_url")


@dataclass(frozen=True)
class MappingRow:
    record: str
    local_field: str
    remote_field: str
    direction: str = Direction.BOTH
    rule: str = ConflictRule.NEWEST


def _require_admin(scope: Scope, path: str) -> None:
    scope.require(Capability.CONFIGURE)
    if not scope.covers_path(path):
        raise NotFound("No such connector.")


def credential_fields(*, kind: str) -> tuple[str, ...]:
    found = CONNECTORS.get(kind)
    return found.credential_fields if found else ()


def _clean(kind: str, name: str, interval_minutes: int, base_url: str) -> None:
    if kind not in CrmKind.values:
        raise InvalidInput(f"Unknown system: use one of {', '.join(CrmKind.values)}.", "kind")
    if not name.strip():
        raise InvalidInput("A connector needs a name.", "name")
    if not MIN_INTERVAL <= interval_minutes <= MAX_INTERVAL:
        raise InvalidInput(
            f"Sync every {MIN_INTERVAL} to {MAX_INTERVAL} minutes.", "interval_minutes"
        )
    if base_url == DEMO_URL and kind in DEMO_KINDS:
        return  # demo mode: recorded events, no network
    if base_url:
        from voxloop.outbound import url_problem

        problem = url_problem(base_url)
        if problem:
            raise InvalidInput(problem, "base_url")
    elif not provider_of(kind).default_base_url:
        raise InvalidInput(
            "Give your account's address, e.g. https://yourcompany.zendesk.com.", "base_url"
        )


def _merge(kind: str, given: dict[str, str], stored: dict[str, str]) -> dict[str, str]:
    """Blank fields keep what is stored (forms never show a secret back)."""
    allowed = credential_fields(kind=kind)
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise InvalidInput(f"Unknown credential: {unknown[0]}.", f"credentials.{unknown[0]}")
    merged = dict(stored)
    merged.update({k: str(v).strip() for k, v in given.items() if str(v).strip()})
    return merged


def _clean_event_types(
    scope: Scope, kind: str, unit: OrgUnit, event_types: dict[str, str]
) -> dict[str, str]:
    events = provider_of(kind).events
    types = list(contact_selectors.interaction_types(scope, archived=False))
    clean = {}
    for event, key in event_types.items():
        if event not in events:
            raise InvalidInput(f"{kind} sends no '{event}' event.", f"event_types.{event}")
        if not key:
            continue
        if contact_selectors.interaction_type_at(types, key, unit.path) is None:
            raise InvalidInput(
                f"No interaction type '{key}' applies at {unit.code}.", f"event_types.{event}"
            )
        clean[event] = key
    return clean


def create_connector(
    *,
    scope: Scope,
    unit: OrgUnit,
    name: str,
    kind: str,
    credentials: dict[str, str] | None = None,
    base_url: str = "",
    interval_minutes: int = 60,
    event_types: dict[str, str] | None = None,
    sync_accounts: bool = False,
) -> CrmConnector:
    """A new connector with the provider's usual field mapping; an OAuth system is connected
    afterwards through its authorisation page."""
    _require_admin(scope, unit.path)
    if unit.organization_id != scope.organization_id:
        raise NotFound("No such unit.")
    _clean(kind, name, interval_minutes, base_url.strip())
    sealed = sealing.seal(_merge(kind, credentials or {}, {}))
    types = _clean_event_types(scope, kind, unit, event_types or {})
    with transaction.atomic():
        connector = CrmConnector.objects.create(
            organization_id=scope.organization_id,
            unit=unit,
            unit_path=unit.path,
            name=name.strip()[:200],
            kind=kind,
            credentials=sealed,
            base_url=base_url.strip(),
            hook_key=secrets.token_urlsafe(24),
            event_types=types,
            interval_minutes=interval_minutes,
            sync_accounts=sync_accounts,
            next_sync_at=timezone.now(),
        )
        for record, fields in provider_of(kind).default_fields.items():
            FieldMapping.objects.bulk_create(
                FieldMapping(connector=connector, record=record, local_field=k, remote_field=v)
                for k, v in fields.items()
            )
        record_audit(
            actor=scope,
            action="crm.connector.create",
            target=connector,
            changes={"name": connector.name, "kind": kind, "unit": unit.code},
        )
        runtime.log(connector, ActivityKind.CONNECT, f"Connected by {scope.actor_label}")
    return connector


def update_connector(
    *,
    scope: Scope,
    connector: CrmConnector,
    name: str | None = None,
    credentials: dict[str, str] | None = None,
    base_url: str | None = None,
    interval_minutes: int | None = None,
    event_types: dict[str, str] | None = None,
    is_active: bool | None = None,
    sync_contacts: bool | None = None,
    sync_accounts: bool | None = None,
    write_back: bool | None = None,
    cases_to_tickets: bool | None = None,
) -> CrmConnector:
    _require_admin(scope, connector.unit_path)
    new_name = connector.name if name is None else name
    new_base = connector.base_url if base_url is None else base_url.strip()
    new_interval = connector.interval_minutes if interval_minutes is None else interval_minutes
    _clean(connector.kind, new_name, new_interval, new_base)
    changes: dict[str, object] = {}
    values: dict[str, object] = {
        "name": new_name.strip()[:200],
        "base_url": new_base,
        "interval_minutes": new_interval,
    }
    if event_types is not None:
        values["event_types"] = _clean_event_types(
            scope, connector.kind, connector.unit, event_types
        )
    for attr, flag in (
        ("is_active", is_active),
        ("sync_contacts", sync_contacts),
        ("sync_accounts", sync_accounts),
        ("write_back", write_back),
        ("cases_to_tickets", cases_to_tickets),
    ):
        if flag is not None:
            values[attr] = flag
    for attr, value in values.items():
        if getattr(connector, attr) != value:
            changes[attr] = value
            setattr(connector, attr, value)
    if credentials:
        stored = sealing.unseal(connector.credentials)
        connector.credentials = sealing.seal(_merge(connector.kind, credentials, stored))
        changes["credentials"] = sorted(credentials)  # which, never the values
    with transaction.atomic():
        connector.save()
        record_audit(actor=scope, action="crm.connector.update", target=connector, changes=changes)
    return connector


def _clean_row(kind: str, row: MappingRow) -> MappingRow:
    if row.record not in RecordKind.values or not provider_of(kind).objects.get(row.record):
        raise InvalidInput(f"Unknown record kind '{row.record}'.", "record")
    known = CONTACT_FIELDS if row.record == RecordKind.CONTACT else ACCOUNT_FIELDS
    if row.local_field not in known and not ATTRIBUTE.match(row.local_field):
        raise InvalidInput(
            f"'{row.local_field}' is not a Voxloop {row.record} field "
            f"({', '.join(known)} or attributes.<name>).",
            "local_field",
        )
    if not REMOTE_FIELD.match(row.remote_field.strip()):
        raise InvalidInput(
            f"'{row.remote_field[:60]}' is not a field name (letters, digits, _ . : -).",
            "remote_field",
        )
    if row.direction not in Direction.values:
        raise InvalidInput("Choose a direction.", "direction")
    if row.rule not in ConflictRule.values:
        raise InvalidInput("Choose who wins a conflict.", "rule")
    return MappingRow(
        row.record, row.local_field, row.remote_field.strip(), row.direction, row.rule
    )


def set_mapping(*, scope: Scope, connector: CrmConnector, rows: list[MappingRow]) -> int:
    """Replace the connector's field mapping; each Voxloop field once per record kind."""
    _require_admin(scope, connector.unit_path)
    clean = [_clean_row(connector.kind, row) for row in rows]
    seen: set[tuple[str, str]] = set()
    for row in clean:
        if (row.record, row.local_field) in seen:
            raise InvalidInput(f"{row.local_field} is mapped twice.", "local_field")
        seen.add((row.record, row.local_field))
    with transaction.atomic():
        connector.mappings.all().delete()
        FieldMapping.objects.bulk_create(
            FieldMapping(
                connector=connector,
                record=r.record,
                local_field=r.local_field,
                remote_field=r.remote_field,
                direction=r.direction,
                rule=r.rule,
            )
            for r in clean
        )
        record_audit(
            actor=scope,
            action="crm.mapping.set",
            target=connector,
            changes={
                "fields": [f"{r.record}.{r.local_field}={r.remote_field}/{r.rule}" for r in clean]
            },
        )
    return len(clean)


def sync_now(*, scope: Scope, connector: CrmConnector) -> None:
    _require_admin(scope, connector.unit_path)
    from voxloop.crm.tasks import sync_connector

    CrmConnector.objects.filter(pk=connector.pk).update(next_sync_at=timezone.now())
    transaction.on_commit(lambda: sync_connector.enqueue(connector.pk))
    record_audit(actor=scope, action="crm.connector.sync", target=connector, changes={})


def disconnect(*, scope: Scope, connector: CrmConnector) -> dict[str, int]:
    """The connector, its credentials, links, queued write-backs and log go; contacts,
    accounts and interactions it brought stay in Voxloop, and nothing in the CRM changes."""
    _require_admin(scope, connector.unit_path)
    counts = {
        "links": connector.links.count(),
        "queued": connector.writebacks.filter(status="queued").count(),
    }
    with transaction.atomic():
        record_audit(
            actor=scope,
            action="crm.connector.delete",
            target=connector,
            changes={"name": connector.name, "kind": connector.kind, **counts},
        )
        connector.delete()
    return counts


def store_tokens(*, scope: Scope, connector: CrmConnector, tokens: dict[str, str]) -> None:
    """Keep what an OAuth authorisation gave (called by `oauth.complete`)."""
    _require_admin(scope, connector.unit_path)
    stored = sealing.unseal(connector.credentials)
    stored.update(tokens)
    connector.credentials = sealing.seal(stored)
    with transaction.atomic():
        CrmConnector.objects.filter(pk=connector.pk).update(
            credentials=connector.credentials, last_error="", failures=0
        )
        record_audit(
            actor=scope,
            action="crm.connector.authorise",
            target=connector,
            changes={"tokens": sorted(tokens)},
        )
        runtime.log(connector, ActivityKind.CONNECT, f"Authorised by {scope.actor_label}")
