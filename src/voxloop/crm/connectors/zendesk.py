"""Zendesk Support (API token): https://developer.zendesk.com/api-reference/

- Auth: `Authorization: Basic base64("{email}/token:{api_token}")`.
- Webhooks (event subscriptions): `{"type": "zen:event-type:ticket.status_changed", "id",
  "time", "subject": "zen:ticket:123", "detail": {"id", "requester_id", "status", ...},
  "event": {"current": "SOLVED", "previous": "OPEN"}}`, signed with
  `X-Zendesk-Webhook-Signature = base64(HMAC-SHA256(secret, timestamp + body))` and
  `X-Zendesk-Webhook-Signature-Timestamp`. A trigger-connected webhook whose JSON body
  carries `ticket_id`, `status`, `requester_id`, `requester_email` works the same.
- Contacts are users (`GET /api/v2/incremental/users/cursor.json?start_time=…`, then
  `?cursor=after_cursor` until `end_of_stream`); accounts are organizations (time-based
  incremental export, `next_page` until `end_of_stream`).
- Write-back: an internal note on the ticket, or user fields on the user; a case opens a
  ticket (or notes the ticket it came from) and solves it when the case is resolved; the
  other way, a status change of that ticket to solved (or from solved back to open) resolves
  (or reopens) the case (`crm.casestatus`), and so does the poll of linked tickets
  (`GET /api/v2/tickets/show_many.json?ids=…`, 100 at a time).
- Demo mode (`base_url = "demo:"`, `crm.demo_mode`): no network at all; recorded "ticket
  solved" events in the trigger-body shape are replayed through the same inbound path."""

from __future__ import annotations

import base64
import hashlib
import hmac
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
    chunks,
    get_path,
    json_body,
    nested,
    parse_time,
)

TOLERANCE = 300
FINISHED = ("solved", "closed")
PRIORITIES = {"high": "high", "urgent": "urgent", "low": "low"}


class Zendesk:
    kind = "zendesk"
    default_base_url = ""  # https://<subdomain>.zendesk.com: every account has its own
    uses_oauth = False
    credential_fields: tuple[str, ...] = ("email", "api_token", "signing_secret")
    events = {"ticket_solved": "Ticket solved", "ticket_created": "Ticket created"}
    objects = {"contact": "user", "account": "organization"}
    default_fields = {
        "contact": {"email": "email", "name": "name", "phone": "phone"},
        "account": {"name": "name"},
    }

    def auth_headers(self, session: Session) -> dict[str, str]:
        c = session.credentials
        raw = f"{c.get('email', '')}/token:{c.get('api_token', '')}".encode()
        return {"Authorization": "Basic " + base64.b64encode(raw).decode()}

    def refresh(self, session: Session) -> dict[str, str]:
        raise CrmError("Zendesk API tokens do not refresh.")

    # --- inbound -----------------------------------------------------------------------------
    def verify(self, hook: HookRequest, credentials: dict[str, str], now: datetime) -> bool:
        secret = credentials.get("signing_secret", "")
        stamp = hook.headers.get("x-zendesk-webhook-signature-timestamp", "")
        given = hook.headers.get("x-zendesk-webhook-signature", "")
        if not (secret and stamp and given):
            return False
        when = parse_time(stamp)
        if when is None or abs((now - when).total_seconds()) > TOLERANCE:
            return False
        mac = hmac.new(secret.encode(), stamp.encode() + hook.body, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(mac).decode(), given)

    def events_of(self, hook: HookRequest) -> list[RemoteEvent]:
        data = json_body(hook)
        if not isinstance(data, dict):
            return []
        if str(data.get("type", "")).startswith("zen:event-type:ticket."):
            detail = data.get("detail") or {}
            current = str((data.get("event") or {}).get("current") or detail.get("status") or "")
            kind = {"zen:event-type:ticket.created": "ticket_created"}.get(data["type"], "")
            previous = str((data.get("event") or {}).get("previous") or "").lower()
            if data["type"] == "zen:event-type:ticket.status_changed":
                if current.lower() in FINISHED:
                    kind = "ticket_solved"
                elif previous in FINISHED:
                    kind = "ticket_reopened"  # follows a linked case; never an interaction
            if not kind:
                return []
            return [
                RemoteEvent(
                    key=str(data.get("id") or ""),
                    kind=kind,
                    remote_object="ticket",
                    remote_id=str(detail.get("id") or ""),
                    contact_remote_id=str(detail.get("requester_id") or ""),
                    occurred_at=parse_time(data.get("time")),
                    attributes={
                        "ticket_id": str(detail.get("id") or ""),
                        "ticket_subject": str(detail.get("subject") or "")[:200],
                        "ticket_status": current.lower(),
                        "ticket_priority": str(detail.get("priority") or "").lower(),
                        "agent_id": str(detail.get("assignee_id") or ""),
                    },
                )
            ]
        if data.get("ticket_id"):  # a trigger's own JSON body
            status = str(data.get("status") or "").lower()
            return [
                RemoteEvent(
                    key=f"ticket:{data['ticket_id']}:{status}:{data.get('updated_at', '')}",
                    kind="ticket_solved" if status in ("solved", "closed") else "ticket_created",
                    remote_object="ticket",
                    remote_id=str(data["ticket_id"]),
                    contact_remote_id=str(data.get("requester_id") or ""),
                    email=str(data.get("requester_email") or ""),
                    occurred_at=parse_time(data.get("updated_at")),
                    attributes={"ticket_id": str(data["ticket_id"]), "ticket_status": status},
                )
            ]
        return []

    def person(self, session: Session, remote_id: str) -> dict[str, str]:
        user = session.call("GET", f"/api/v2/users/{remote_id}.json").get("user") or {}
        first, _, last = str(user.get("name") or "").partition(" ")
        return {"email": user.get("email") or "", "first_name": first, "last_name": last}

    # --- sync --------------------------------------------------------------------------------
    def page(
        self,
        session: Session,
        record: str,
        since: datetime | None,
        token: str,
        fields: tuple[str, ...],
    ) -> Page:
        start = int(since.timestamp()) if since else 0
        if record == "contact":
            query = {"cursor": token} if token else {"start_time": start}
            body = session.call("GET", "/api/v2/incremental/users/cursor.json", query=query)
            items, nxt = body.get("users") or [], body.get("after_cursor") or ""
        else:
            if token:
                body = session.call("GET", token)
            else:
                body = session.call(
                    "GET", "/api/v2/incremental/organizations.json", query={"start_time": start}
                )
            items, nxt = body.get("organizations") or [], body.get("next_page") or ""
        page = Page(next_token="" if body.get("end_of_stream", True) else str(nxt))
        for item in items:
            if not item.get("id"):
                continue
            page.records.append(
                RemoteRecord(str(item["id"]), parse_time(item.get("updated_at")), item)
            )
        return page

    def push(self, session: Session, record: str, remote_id: str, fields: dict[str, Any]) -> str:
        kind = self.objects[record]
        body = {kind: nested(fields)}
        if remote_id:
            session.call("PUT", f"/api/v2/{kind}s/{remote_id}.json", body)
            return remote_id
        answer = session.call("POST", f"/api/v2/{kind}s.json", body)
        return str(get_path(answer, f"{kind}.id") or "")

    # --- write-back --------------------------------------------------------------------------
    def _note(self, session: Session, ticket: str, text: str) -> None:
        body = {"ticket": {"comment": {"body": text, "public": False}}}
        session.call("PUT", f"/api/v2/tickets/{ticket}.json", body)

    def write_feedback(self, session: Session, target: dict[str, str], feedback: Feedback) -> None:
        if target.get("ticket"):
            self._note(session, target["ticket"], feedback.note())
            return
        fields = {"voxloop_nps": feedback.nps, "voxloop_csat": feedback.csat}
        fields["voxloop_comment"] = feedback.comment[:1000]  # type: ignore[assignment]
        body = {"user": {"user_fields": fields}}
        session.call("PUT", f"/api/v2/users/{target['contact']}.json", body)

    def open_ticket(self, session: Session, target: dict[str, str], case: CaseInfo) -> str:
        text = f"{case.body}\n\n{case.link}"
        if target.get("ticket"):
            self._note(session, target["ticket"], f"Voxloop case opened: {case.title}\n{text}")
            return target["ticket"]
        ticket: dict[str, Any] = {
            "subject": case.title[:200],
            "comment": {"body": text, "public": False},
            "tags": ["voxloop"],
            "external_id": f"voxloop-case-{case.case_id}",
        }
        if case.priority in PRIORITIES:
            ticket["priority"] = PRIORITIES[case.priority]
        if target.get("contact"):
            ticket["requester_id"] = int(target["contact"])
        answer = session.call("POST", "/api/v2/tickets.json", {"ticket": ticket})
        return str(get_path(answer, "ticket.id") or "")

    def set_status(self, session: Session, remote: str, resolved: bool) -> None:
        status = "solved" if resolved else "open"
        session.call("PUT", f"/api/v2/tickets/{remote}.json", {"ticket": {"status": status}})

    def ticket_states(self, session: Session, remote_ids: list[str]) -> dict[str, bool]:
        states = {}
        for ids in chunks([i for i in remote_ids if i.isdigit()]):
            answer = session.call(
                "GET", "/api/v2/tickets/show_many.json", query={"ids": ",".join(ids)}
            )
            for ticket in answer.get("tickets") or []:
                status = str(ticket.get("status") or "").lower()
                if ticket.get("id") and status:
                    states[str(ticket["id"])] = status in FINISHED
        return states
