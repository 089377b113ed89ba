"""Webhooks and outbound messages from the CRM, to interactions that fire Voxloop's triggers.

1. `receive` (the public URL `/crm/hooks/<key>/`, in the request): the connector's signature
   scheme is checked over the raw body; each event is stored once per (connector, provider
   event id) — a unique key, so the same delivery twice, even at the same moment, is one row
   — and a task is enqueued for it. Nothing is read from the CRM in the request.
2. `take_in` (the task): the event's person is found by their link, their email, or by asking
   the CRM (`person`), created at the connector's unit when new; then, when the admin chose
   an interaction type for this kind of event, one interaction is recorded through
   `contacts.interactions` (its own external id is the event's, a second guard), whose
   `interactions_recorded` signal fires the distribution triggers. A ticket or task solved
   or reopened in the CRM first resolves or reopens the Voxloop case linked to it
   (`casestatus`); a task's change or a reopening is never an interaction."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop import sealing
from voxloop.contacts import importing as contact_importing
from voxloop.contacts import interactions as contact_interactions
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact
from voxloop.crm import casestatus, runtime
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import CrmError, HookRequest, RemoteEvent
from voxloop.crm.models import (
    ActivityKind,
    CrmConnector,
    InboundEvent,
    RecordKind,
    RecordLink,
)


@dataclass
class Received:
    accepted: int = 0
    duplicates: int = 0
    event_ids: list[int] | None = None


class BadSignature(Exception):
    """The request is not from the connected system (signature, secret or organisation)."""


def connector_for_hook(key: str) -> CrmConnector | None:
    if not key or len(key) > 48:
        return None
    return CrmConnector.objects.filter(hook_key=key, is_active=True).first()


def receive(*, connector: CrmConnector, hook: HookRequest, now: datetime | None = None) -> Received:
    now = now or timezone.now()
    provider = provider_of(connector.kind)
    if not provider.verify(hook, sealing.unseal(connector.credentials), now):
        runtime.log(
            connector, ActivityKind.WEBHOOK, "Webhook refused: bad or missing signature", ok=False
        )
        raise BadSignature
    return store_events(connector=connector, events=provider.events_of(hook), now=now)


def store_events(
    *, connector: CrmConnector, events: list[RemoteEvent], now: datetime | None = None
) -> Received:
    """Keep each event once and enqueue its taking in: the path every webhook takes after its
    signature was checked (and the demo mode's recorded events, which have none)."""
    now = now or timezone.now()
    result = Received(event_ids=[])
    for event in events:
        if not event.key:
            continue
        payload = asdict(event)
        payload["occurred_at"] = event.occurred_at.isoformat() if event.occurred_at else ""
        try:
            with transaction.atomic():
                stored = InboundEvent.objects.create(
                    connector=connector,
                    key=event.key[:200],
                    kind=event.kind,
                    remote_object=event.remote_object[:20],
                    remote_id=event.remote_id[:120],
                    payload=payload,
                    received_at=now,
                )
        except IntegrityError:
            result.duplicates += 1
            continue
        result.accepted += 1
        assert result.event_ids is not None
        result.event_ids.append(stored.pk)
    if result.accepted:
        from voxloop.crm.tasks import take_in_event

        for pk in result.event_ids or []:
            transaction.on_commit(functools.partial(take_in_event.enqueue, pk))
    return result


def _event_of(stored: InboundEvent) -> RemoteEvent:
    data: dict[str, Any] = dict(stored.payload)
    when = data.pop("occurred_at", "")
    event = RemoteEvent(**data)
    event.occurred_at = datetime.fromisoformat(when) if when else None
    return event


def _find_contact(connector: CrmConnector, event: RemoteEvent) -> Contact | None:
    """The event's person: linked, or by email (asking the CRM for it when the event only
    names an id), created at the connector's unit when Voxloop does not know them."""
    scope = runtime.scope_of(connector)
    visible = contact_selectors.visible_contacts(scope)
    provider = provider_of(connector.kind)
    session = runtime.session_of(connector)
    remote_id = event.contact_remote_id
    if not remote_id and event.remote_object == "deal" and hasattr(provider, "deal_contact"):
        remote_id = provider.deal_contact(session, event.remote_id)
    if remote_id:
        link = RecordLink.objects.filter(
            connector=connector, record=RecordKind.CONTACT, remote_id=remote_id
        ).first()
        if link is not None:
            return visible.filter(pk=link.local_id).first()
    person = {"email": event.email, "first_name": event.first_name, "last_name": event.last_name}
    if not person["email"] and remote_id:
        person = provider.person(session, remote_id)
    email = (person.get("email") or "").strip().lower()
    if not email and not remote_id:
        return None
    contact = visible.filter(email=email).first() if email else None
    if contact is None:
        external_id = email or f"{connector.kind}-{remote_id}"
        contact = visible.filter(external_id=external_id).first()
    if contact is None:
        row = {
            "external_id": email or f"{connector.kind}-{remote_id}",
            "unit": connector.unit.code,
            "first_name": (person.get("first_name") or "")[:100],
            "last_name": (person.get("last_name") or "")[:100],
        }
        if email:
            row["email"] = email
        report = contact_importing.import_records(actor=scope, records=[row])
        if report.errors:
            raise CrmError(f"The person could not be added: {report.errors[0].message}")
        contact = visible.filter(external_id=row["external_id"]).first()
    if contact is not None and remote_id:
        RecordLink.objects.get_or_create(
            connector=connector,
            record=RecordKind.CONTACT,
            local_id=contact.pk,
            defaults={"remote_id": remote_id, "synced_at": timezone.now()},
        )
    return contact


def interaction_key(connector: CrmConnector, event_key: str) -> str:
    key = f"crm{connector.pk}:{event_key}"
    if len(key) > 100:
        key = f"crm{connector.pk}:" + hashlib.sha256(event_key.encode()).hexdigest()[:64]
    return key


def take_in(event_id: int) -> str:
    """What became of the event (also kept on its row and in the activity log)."""
    stored = InboundEvent.objects.select_related("connector__unit").filter(pk=event_id).first()
    if stored is None or stored.taken_in_at is not None:
        return "already taken in"
    connector = stored.connector
    event = _event_of(stored)
    if event.kind == "contact_changed":
        # The record itself comes with the next pass; bring that pass forward.
        CrmConnector.objects.filter(pk=connector.pk).update(next_sync_at=timezone.now())
    if event.remote_object in casestatus.OBJECTS and event.kind in casestatus.KINDS:
        followed = casestatus.follow(connector=connector, event=event)
        if event.kind in casestatus.ONLY_FOLLOWED:
            stored.contact_id = None
            return _done(stored, followed or "no linked case")
    type_key = (connector.event_types or {}).get(event.kind, "")
    try:
        contact = _find_contact(connector, event)
    except CrmError as error:
        if error.transient:
            raise
        return _done(stored, f"no contact: {error}", ok=False)
    if contact is None:
        return _done(stored, "no contact: the event names nobody", ok=False)
    stored.contact_id = contact.pk
    if not type_key:
        return _done(stored, "no interaction type chosen for this event")
    attributes = {k: v for k, v in event.attributes.items() if v not in (None, "")}
    attributes["crm"] = connector.kind
    record = {
        "type": type_key,
        "contact": contact.external_id,
        "external_id": interaction_key(connector, event.key),
        "channel": connector.kind,
        "attributes": attributes,
    }
    if event.occurred_at is not None:
        record["occurred_at"] = min(event.occurred_at, timezone.now())
    report = contact_interactions.record_interactions(
        actor=runtime.scope_of(connector), records=[record]
    )
    if report.errors:
        return _done(stored, f"not recorded: {report.errors[0].message}", ok=False)
    if report.ids:
        stored.interaction_id = report.ids[0]
        return _done(stored, "interaction recorded")
    return _done(stored, "already recorded")


def _done(stored: InboundEvent, outcome: str, ok: bool = True) -> str:
    stored.outcome = outcome[:200]
    stored.taken_in_at = timezone.now()
    stored.save(update_fields=["outcome", "taken_in_at", "contact_id", "interaction_id"])
    runtime.log(
        stored.connector,
        ActivityKind.WEBHOOK,
        f"{stored.kind} {stored.remote_object} {stored.remote_id}: {outcome}",
        ok=ok,
        problems=[] if ok else [{"record": f"event {stored.key}", "message": outcome}],
    )
    return outcome


def ticket_of(connector: CrmConnector, contact_id: int, interaction_id: int | None = None) -> str:
    """The ticket (or case) a survey of this contact is about: the one whose event recorded
    the interaction that invited them, else the latest one an event of this connector brought
    for them."""
    tickets = InboundEvent.objects.filter(
        connector=connector, contact_id=contact_id, remote_object="ticket"
    )
    if interaction_id:
        exact = tickets.filter(interaction_id=interaction_id)
        found = exact.values_list("remote_id", flat=True).first()
        if found:
            return found
    found = tickets.order_by("-received_at", "-pk").values_list("remote_id", flat=True).first()
    return found or ""
