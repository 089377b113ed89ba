"""HubSpot CRM (OAuth 2.0 app, or a private app's token): https://developers.hubspot.com/docs/api

- OAuth: the browser goes to `https://app.hubspot.com/oauth/authorize?client_id&redirect_uri
  &scope&state`; the code is exchanged at `POST /oauth/v1/token` (form:
  grant_type=authorization_code, client_id, client_secret, redirect_uri, code) for
  `{access_token, refresh_token, expires_in}`; `grant_type=refresh_token` renews it.
- Webhooks (v3 signature): `X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret,
  method + URI + body + timestamp))`, `X-HubSpot-Request-Timestamp` in milliseconds, refused
  when older than five minutes. The body is an array of events (`eventId`,
  `subscriptionType` "contact.propertyChange" | "contact.creation" | "deal.propertyChange",
  `objectId`, `propertyName`, `propertyValue`, `occurredAt`), and the generic
  "object.propertyChange" of a task (`objectTypeId` "0-27", `hs_task_status`).
- Contacts and companies: `POST /crm/v3/objects/{object}/search` filtered on
  `lastmodifieddate` ≥ the last pass, sorted ascending, 100 a page, `paging.next.after`.
- Write-back: properties on the contact (`voxloop_last_nps`, `voxloop_last_csat`,
  `voxloop_last_comment`, created by the admin in HubSpot); a case creates a task
  associated with the contact, completes it when the case is resolved and reopens it
  (NOT_STARTED) when the case is. The other way, the task's status webhook or the poll of
  linked tasks (`POST /crm/v3/objects/tasks/batch/read`) resolves or reopens the case."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
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
    iso,
    json_body,
    parse_time,
    request,
)

TOLERANCE_MS = 300_000
PER_PAGE = 100
TASK_TO_CONTACT = 204  # HubSpot-defined association type: task → contact
TASK = "0-27"  # the task object's type id in generic (`object.*`) webhook events


class HubSpot:
    kind = "hubspot"
    default_base_url = "https://api.hubapi.com"
    authorize_url = "https://app.hubspot.com/oauth/authorize"
    # Tasks are read and written under the contacts scopes; companies go both ways.
    scopes = (
        "crm.objects.contacts.read crm.objects.contacts.write "
        "crm.objects.companies.read crm.objects.companies.write"
    )
    uses_oauth = True
    credential_fields: tuple[str, ...] = ("client_id", "client_secret", "access_token")
    events = {"deal_won": "Deal won", "contact_changed": "Contact created or changed"}
    objects = {"contact": "contacts", "account": "companies"}
    default_fields = {
        "contact": {
            "email": "email",
            "first_name": "firstname",
            "last_name": "lastname",
            "phone": "phone",
        },
        "account": {"name": "name"},
    }

    def auth_headers(self, session: Session) -> dict[str, str]:
        return {"Authorization": f"Bearer {session.credentials.get('access_token', '')}"}

    def token_url(self, base_url: str) -> str:
        return f"{(base_url or self.default_base_url).rstrip('/')}/oauth/v1/token"

    def exchange(self, base_url: str, credentials: dict[str, str], form: dict[str, str]) -> dict:
        answer = request(
            "POST",
            self.token_url(base_url),
            form={
                "client_id": credentials.get("client_id", ""),
                "client_secret": credentials.get("client_secret", ""),
                **form,
            },
        )
        if not answer.get("access_token"):
            raise CrmError("HubSpot gave no access token.")
        tokens = {"access_token": answer["access_token"]}
        if answer.get("refresh_token"):
            tokens["refresh_token"] = answer["refresh_token"]
        tokens["expires_at"] = str(int(time.time()) + int(answer.get("expires_in") or 1800))
        return tokens

    def refresh(self, session: Session) -> dict[str, str]:
        return self.exchange(
            session.base_url,
            session.credentials,
            {"grant_type": "refresh_token", "refresh_token": session.credentials["refresh_token"]},
        )

    # --- inbound -----------------------------------------------------------------------------
    def verify(self, hook: HookRequest, credentials: dict[str, str], now: datetime) -> bool:
        secret = credentials.get("client_secret", "")
        stamp = hook.headers.get("x-hubspot-request-timestamp", "")
        given = hook.headers.get("x-hubspot-signature-v3", "")
        if not (secret and stamp.isdigit() and given):
            return False
        if abs(now.timestamp() * 1000 - int(stamp)) > TOLERANCE_MS:
            return False
        signed = f"{hook.method}{hook.url}".encode() + hook.body + stamp.encode()
        mac = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
        return hmac.compare_digest(base64.b64encode(mac).decode(), given)

    def events_of(self, hook: HookRequest) -> list[RemoteEvent]:
        data = json_body(hook)
        found = []
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or not item.get("eventId"):
                continue
            kind_of = str(item.get("subscriptionType") or "")
            remote_id = str(item.get("objectId") or "")
            base: dict[str, Any] = {
                "key": str(item["eventId"]),
                "remote_id": remote_id,
                "occurred_at": parse_time(item.get("occurredAt")),
            }
            if kind_of == "deal.propertyChange":
                if item.get("propertyName") != "dealstage" or item.get("propertyValue") != (
                    "closedwon"
                ):
                    continue
                found.append(
                    RemoteEvent(
                        kind="deal_won",
                        remote_object="deal",
                        attributes={"deal_id": remote_id, "deal_stage": "closedwon"},
                        **base,
                    )
                )
            elif kind_of == "object.propertyChange" and str(item.get("objectTypeId")) == TASK:
                if item.get("propertyName") != "hs_task_status":
                    continue
                done = item.get("propertyValue") == "COMPLETED"
                found.append(
                    RemoteEvent(
                        kind="task_completed" if done else "task_reopened",
                        remote_object="task",
                        attributes={"task_status": str(item.get("propertyValue") or "")[:40]},
                        **base,
                    )
                )
            elif kind_of in ("contact.propertyChange", "contact.creation"):
                found.append(
                    RemoteEvent(
                        kind="contact_changed",
                        remote_object="contact",
                        contact_remote_id=remote_id,
                        attributes={"changed": str(item.get("propertyName") or "created")},
                        **base,
                    )
                )
        return found

    def person(self, session: Session, remote_id: str) -> dict[str, str]:
        body = session.call(
            "GET",
            f"/crm/v3/objects/contacts/{remote_id}",
            query={"properties": "email,firstname,lastname"},
        )
        props = body.get("properties") or {}
        return {
            "email": props.get("email") or "",
            "first_name": props.get("firstname") or "",
            "last_name": props.get("lastname") or "",
        }

    def deal_contact(self, session: Session, deal_id: str) -> str:
        body = session.call("GET", f"/crm/v4/objects/deals/{deal_id}/associations/contacts")
        results = body.get("results") or []
        return str(results[0].get("toObjectId") or "") if results else ""

    # --- sync --------------------------------------------------------------------------------
    def page(
        self,
        session: Session,
        record: str,
        since: datetime | None,
        token: str,
        fields: tuple[str, ...],
    ) -> Page:
        search: dict[str, Any] = {
            "limit": PER_PAGE,
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "properties": sorted({f.split(".")[0] for f in fields}),
        }
        if record == "contact":
            search["sorts"][0]["propertyName"] = "lastmodifieddate"
        if since is not None:
            search["filterGroups"] = [
                {
                    "filters": [
                        {
                            "propertyName": search["sorts"][0]["propertyName"],
                            "operator": "GTE",
                            "value": str(int(since.timestamp() * 1000)),
                        }
                    ]
                }
            ]
        if token:
            search["after"] = token
        body = session.call("POST", f"/crm/v3/objects/{self.objects[record]}/search", search)
        page = Page(next_token=str(((body.get("paging") or {}).get("next") or {}).get("after", "")))
        for item in body.get("results") or []:
            if not item.get("id"):
                continue
            props = item.get("properties") or {}
            modified = parse_time(item.get("updatedAt")) or parse_time(
                props.get("lastmodifieddate") or props.get("hs_lastmodifieddate")
            )
            page.records.append(RemoteRecord(str(item["id"]), modified, props))
        return page

    def push(self, session: Session, record: str, remote_id: str, fields: dict[str, Any]) -> str:
        body = {"properties": {k: "" if v is None else str(v) for k, v in fields.items()}}
        path = f"/crm/v3/objects/{self.objects[record]}"
        if remote_id:
            session.call("PATCH", f"{path}/{remote_id}", body)
            return remote_id
        return str(session.call("POST", path, body).get("id") or "")

    # --- write-back --------------------------------------------------------------------------
    def write_feedback(self, session: Session, target: dict[str, str], feedback: Feedback) -> None:
        if not target.get("contact"):
            raise CrmError("The response's contact is not linked to a HubSpot contact.")
        props = {
            "voxloop_last_nps": "" if feedback.nps is None else str(feedback.nps),
            "voxloop_last_csat": "" if feedback.csat is None else str(feedback.csat),
            "voxloop_last_comment": feedback.comment[:1000],
            "voxloop_last_response_at": feedback.submitted_at,
        }
        session.call(
            "PATCH", f"/crm/v3/objects/contacts/{target['contact']}", {"properties": props}
        )

    def open_ticket(self, session: Session, target: dict[str, str], case: CaseInfo) -> str:
        task: dict[str, Any] = {
            "properties": {
                "hs_task_subject": case.title[:200],
                "hs_task_body": f"{case.body}\n\n{case.link}",
                "hs_task_status": "NOT_STARTED",
                "hs_task_priority": "HIGH" if case.priority in ("high", "urgent") else "MEDIUM",
                "hs_timestamp": iso(datetime.now().astimezone()),
            }
        }
        if target.get("contact"):
            task["associations"] = [
                {
                    "to": {"id": target["contact"]},
                    "types": [
                        {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": TASK_TO_CONTACT,
                        }
                    ],
                }
            ]
        return str(session.call("POST", "/crm/v3/objects/tasks", task).get("id") or "")

    def set_status(self, session: Session, remote: str, resolved: bool) -> None:
        status = "COMPLETED" if resolved else "NOT_STARTED"
        session.call(
            "PATCH", f"/crm/v3/objects/tasks/{remote}", {"properties": {"hs_task_status": status}}
        )

    def ticket_states(self, session: Session, remote_ids: list[str]) -> dict[str, bool]:
        states = {}
        for ids in chunks(remote_ids):
            answer = session.call(
                "POST",
                "/crm/v3/objects/tasks/batch/read",
                {"properties": ["hs_task_status"], "inputs": [{"id": i} for i in ids]},
            )
            for task in answer.get("results") or []:
                status = (task.get("properties") or {}).get("hs_task_status")
                if task.get("id") and status:
                    states[str(task["id"])] = status == "COMPLETED"
        return states
