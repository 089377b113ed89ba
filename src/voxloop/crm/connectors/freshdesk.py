"""Freshdesk (API key): https://developers.freshdesk.com/api/

- Auth: `Authorization: Basic base64("{api_key}:X")`.
- Webhooks come from an automation rule's "Trigger webhook" action. Freshdesk does not sign
  them; its rule can add custom headers, so the rule sends the connector's webhook secret in
  `X-Voxloop-Secret` (compared in constant time) and the secret URL names the connector. The
  JSON body the rule sends (docs/crm.md): `{"ticket_id": "{{ticket.id}}", "status":
  "{{ticket.status}}", "requester_email": "{{ticket.contact.email}}", "requester_id":
  "{{ticket.requester.id}}", "updated_at": "{{ticket.updated_at}}"}`, also accepted inside
  the legacy `{"freshdesk_webhook": {...}}` wrapper.
- Contacts: `GET /api/v2/contacts?updated_since=…&page=N&per_page=100` (a full page means
  there may be another); companies: `GET /api/v2/companies?page=N&per_page=100`.
- Write-back: a private note on the ticket (`POST /api/v2/tickets/{id}/notes`) or custom
  fields on the contact; a case opens a ticket (or notes the one it came from) and resolves
  it (status 4) with the case, or reopens it (status 2). The other way, the automation
  webhook or the poll of linked tickets (`GET /api/v2/tickets/{id}`) resolves or reopens the
  case (`crm.casestatus`)."""

from __future__ import annotations

import base64
import hmac
import html
from datetime import datetime
from typing import Any

from voxloop.crm.connectors.base import (
    CaseInfo,
    CrmError,
    Feedback,
    HookRequest,
    Page,
    RemoteEvent,
    RemoteRecord,
    Session,
    iso,
    json_body,
    nested,
    parse_time,
)

PER_PAGE = 100
RESOLVED, OPEN = 4, 2
STATUSES = {"4": "resolved", "5": "closed", "2": "open", "3": "pending"}
PRIORITY = {"low": 1, "normal": 2, "medium": 2, "high": 3, "urgent": 4}


class Freshdesk:
    kind = "freshdesk"
    default_base_url = ""  # https://<domain>.freshdesk.com
    uses_oauth = False
    credential_fields: tuple[str, ...] = ("api_key", "webhook_secret")
    events = {"ticket_resolved": "Ticket resolved or closed"}
    objects = {"contact": "contacts", "account": "companies"}
    default_fields = {
        "contact": {"email": "email", "name": "name", "phone": "phone"},
        "account": {"name": "name"},
    }

    def auth_headers(self, session: Session) -> dict[str, str]:
        raw = f"{session.credentials.get('api_key', '')}:X".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def refresh(self, session: Session) -> dict[str, str]:
        raise CrmError("Freshdesk API keys do not refresh.")

    def verify(self, hook: HookRequest, credentials: dict[str, str], now: datetime) -> bool:
        secret = credentials.get("webhook_secret", "")
        given = hook.headers.get("x-voxloop-secret", "")
        return bool(secret and given) and hmac.compare_digest(secret.encode(), given.encode())

    def events_of(self, hook: HookRequest) -> list[RemoteEvent]:
        data = json_body(hook)
        if isinstance(data, dict) and isinstance(data.get("freshdesk_webhook"), dict):
            data = data["freshdesk_webhook"]
        if not isinstance(data, dict) or not data.get("ticket_id"):
            return []
        status = str(data.get("status") or data.get("ticket_status") or "").strip()
        status = STATUSES.get(status, status.lower())
        if status not in ("resolved", "closed", "open", "pending"):
            return []
        ticket = str(data["ticket_id"])
        # An automation rule "status changed from resolved" sends open/pending: a reopening,
        # which only follows a linked case (`crm.casestatus`), never an interaction.
        return [
            RemoteEvent(
                key=f"ticket:{ticket}:{status}:{data.get('updated_at', '')}",
                kind="ticket_resolved" if status in ("resolved", "closed") else "ticket_reopened",
                remote_object="ticket",
                remote_id=ticket,
                contact_remote_id=str(data.get("requester_id") or ""),
                email=str(data.get("requester_email") or data.get("ticket_contact_email") or ""),
                occurred_at=parse_time(data.get("updated_at")),
                attributes={"ticket_id": ticket, "ticket_status": status},
            )
        ]

    def person(self, session: Session, remote_id: str) -> dict[str, str]:
        contact = session.call("GET", f"/api/v2/contacts/{remote_id}")
        first, _, last = str(contact.get("name") or "").partition(" ")
        return {"email": contact.get("email") or "", "first_name": first, "last_name": last}

    def page(
        self,
        session: Session,
        record: str,
        since: datetime | None,
        token: str,
        fields: tuple[str, ...],
    ) -> Page:
        number = int(token) if token.isdigit() else 1
        query: dict[str, Any] = {"page": number, "per_page": PER_PAGE}
        if record == "contact" and since is not None:
            query["updated_since"] = iso(since)
        items = session.call("GET", f"/api/v2/{self.objects[record]}", query=query)
        if not isinstance(items, list):
            raise CrmError("Freshdesk answered a list with something else.", transient=True)
        page = Page(next_token=str(number + 1) if len(items) >= PER_PAGE else "")
        for item in items:
            modified = parse_time(item.get("updated_at"))
            if not item.get("id") or (since and modified and modified < since):
                continue
            page.records.append(RemoteRecord(str(item["id"]), modified, item))
        return page

    def push(self, session: Session, record: str, remote_id: str, fields: dict[str, Any]) -> str:
        path = f"/api/v2/{self.objects[record]}"
        if remote_id:
            session.call("PUT", f"{path}/{remote_id}", nested(fields))
            return remote_id
        return str(session.call("POST", path, nested(fields)).get("id") or "")

    def _note(self, session: Session, ticket: str, text: str) -> None:
        body = html.escape(text).replace("\n", "<br>")
        session.call("POST", f"/api/v2/tickets/{ticket}/notes", {"body": body, "private": True})

    def write_feedback(self, session: Session, target: dict[str, str], feedback: Feedback) -> None:
        if target.get("ticket"):
            self._note(session, target["ticket"], feedback.note())
            return
        fields = {
            "voxloop_nps": feedback.nps,
            "voxloop_csat": feedback.csat,
            "voxloop_comment": feedback.comment[:1000],
        }
        session.call("PUT", f"/api/v2/contacts/{target['contact']}", {"custom_fields": fields})

    def open_ticket(self, session: Session, target: dict[str, str], case: CaseInfo) -> str:
        text = f"{case.body}\n\n{case.link}"
        if target.get("ticket"):
            self._note(session, target["ticket"], f"Voxloop case opened: {case.title}\n{text}")
            return target["ticket"]
        if not target.get("contact"):
            raise CrmError("A Freshdesk ticket needs a requester linked to the case's contact.")
        ticket = {
            "subject": case.title[:200],
            "description": html.escape(text).replace("\n", "<br>"),
            "requester_id": int(target["contact"]),
            "priority": PRIORITY.get(case.priority, 2),
            "status": OPEN,
            "tags": ["voxloop"],
        }
        return str(session.call("POST", "/api/v2/tickets", ticket).get("id") or "")

    def set_status(self, session: Session, remote: str, resolved: bool) -> None:
        status = RESOLVED if resolved else OPEN
        session.call("PUT", f"/api/v2/tickets/{remote}", {"status": status})

    def ticket_states(self, session: Session, remote_ids: list[str]) -> dict[str, bool]:
        """One request a ticket (Freshdesk has no bulk read); a deleted ticket is left out."""
        states = {}
        for remote in remote_ids:
            if not remote.isdigit():
                continue
            try:
                ticket = session.call("GET", f"/api/v2/tickets/{remote}")
            except CrmError as error:
                if error.status == 404:
                    continue
                raise
            status = STATUSES.get(str(ticket.get("status") or ""), "")
            if status:
                states[remote] = status in ("resolved", "closed")
        return states
