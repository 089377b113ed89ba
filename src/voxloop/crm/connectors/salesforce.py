"""Salesforce (OAuth 2.0 web server flow): https://developer.salesforce.com/docs/

- OAuth: the browser goes to `https://login.salesforce.com/services/oauth2/authorize?
  response_type=code&client_id&redirect_uri&state`; the code is exchanged at
  `POST /services/oauth2/token` for `{access_token, refresh_token, instance_url, id}` (the
  `id` URL names the organisation: `…/id/<org id>/<user id>`); `grant_type=refresh_token`
  renews the access token (Salesforce gives no expiry: a 401 is the sign).
- Inbound: Outbound Messages (a workflow or flow action) are SOAP posts of `notifications`
  with the sending `OrganizationId`, one `Notification` (`Id`, `sObject` with the fields
  chosen) each, answered with an `Ack`. They carry no signature; a message is taken only
  when its OrganizationId is the connected organisation's and it came to the connector's
  secret URL. Closed opportunities (`IsClosed`), closed cases and changed contacts.
- Contacts and accounts: SOQL `SELECT Id, LastModifiedDate, … FROM Contact WHERE
  LastModifiedDate > … ORDER BY LastModifiedDate` through `/query`, then `nextRecordsUrl`.
- Write-back: custom fields on the Contact (`Voxloop_NPS__c`, `Voxloop_CSAT__c`,
  `Voxloop_Comment__c`) or a CaseComment on the Case it came from; a case creates a Task
  for the contact (`WhoId`), completes it with the case and sets it back to Not Started when
  the case is reopened. The other way, an Outbound Message on Task (Id, Status, IsClosed,
  LastModifiedDate) or the poll of linked tasks (SOQL on `IsClosed`) resolves or reopens the
  case."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from defusedxml import ElementTree

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
    parse_time,
    request,
)

API = "/services/data/v60.0"
OUTBOUND_NS = "{http://soap.sforce.com/2005/09/outbound}"
SOBJECT_NS = "{urn:sobject.enterprise.soap.sforce.com}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
ACK = (
    b'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope '
    b'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    b'<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack>'
    b"</notificationsResponse></soapenv:Body></soapenv:Envelope>"
)
SAFE_FIELD = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.")


class Salesforce:
    kind = "salesforce"
    default_base_url = "https://login.salesforce.com"
    authorize_path = "/services/oauth2/authorize"
    uses_oauth = True
    credential_fields: tuple[str, ...] = ("client_id", "client_secret", "organization_id")
    events = {
        "opportunity_closed": "Opportunity closed",
        "case_closed": "Case closed",
        "contact_changed": "Contact changed",
    }
    objects = {"contact": "Contact", "account": "Account"}
    default_fields = {
        "contact": {
            "email": "Email",
            "first_name": "FirstName",
            "last_name": "LastName",
            "phone": "Phone",
        },
        "account": {"name": "Name"},
    }
    ack = ("text/xml; charset=utf-8", ACK)

    def auth_headers(self, session: Session) -> dict[str, str]:
        return {"Authorization": f"Bearer {session.credentials.get('access_token', '')}"}

    def exchange(self, base_url: str, credentials: dict[str, str], form: dict[str, str]) -> dict:
        answer = request(
            "POST",
            f"{(base_url or self.default_base_url).rstrip('/')}/services/oauth2/token",
            form={
                "client_id": credentials.get("client_id", ""),
                "client_secret": credentials.get("client_secret", ""),
                **form,
            },
        )
        if not answer.get("access_token"):
            raise CrmError("Salesforce gave no access token.")
        tokens = {"access_token": answer["access_token"]}
        for name in ("refresh_token", "instance_url"):
            if answer.get(name):
                tokens[name] = answer[name]
        parts = str(answer.get("id") or "").rstrip("/").split("/")
        if len(parts) >= 2 and parts[-2].startswith("00D"):
            tokens["organization_id"] = parts[-2]
        return tokens

    def refresh(self, session: Session) -> dict[str, str]:
        return self.exchange(
            session.base_url,
            session.credentials,
            {"grant_type": "refresh_token", "refresh_token": session.credentials["refresh_token"]},
        )

    # --- inbound -----------------------------------------------------------------------------
    def _notifications(self, body: bytes) -> tuple[str, list[Any]]:
        try:
            root = ElementTree.fromstring(body)
        except (ElementTree.ParseError, ValueError, Exception):
            return "", []
        found = root.find(f".//{OUTBOUND_NS}notifications")
        if found is None:
            return "", []
        organization = (found.findtext(f"{OUTBOUND_NS}OrganizationId") or "").strip()
        return organization, found.findall(f"{OUTBOUND_NS}Notification")

    def verify(self, hook: HookRequest, credentials: dict[str, str], now: datetime) -> bool:
        expected = credentials.get("organization_id", "")[:15]
        organization, notifications = self._notifications(hook.body)
        return bool(expected and notifications) and organization[:15] == expected

    def events_of(self, hook: HookRequest) -> list[RemoteEvent]:
        found = []
        for note in self._notifications(hook.body)[1]:
            sobject = note.find(f"{OUTBOUND_NS}sObject")
            if sobject is None:
                continue
            kind_of = str(sobject.get(XSI_TYPE) or "").split(":")[-1]
            fields = {
                child.tag.replace(SOBJECT_NS, ""): (child.text or "").strip() for child in sobject
            }
            base: dict[str, Any] = {
                "key": (note.findtext(f"{OUTBOUND_NS}Id") or "").strip(),
                "remote_id": fields.get("Id", ""),
                "occurred_at": parse_time(fields.get("LastModifiedDate")),
            }
            closed = fields.get("IsClosed", "").lower() == "true"
            if kind_of == "Opportunity" and closed:
                won = fields.get("IsWon", "").lower() == "true"
                found.append(
                    RemoteEvent(
                        kind="opportunity_closed",
                        remote_object="opportunity",
                        contact_remote_id=fields.get("ContactId", ""),
                        attributes={
                            "opportunity_id": fields.get("Id", ""),
                            "stage": fields.get("StageName", "")[:100],
                            "won": won,
                        },
                        **base,
                    )
                )
            elif kind_of == "Case" and closed:
                found.append(
                    RemoteEvent(
                        kind="case_closed",
                        remote_object="ticket",
                        contact_remote_id=fields.get("ContactId", ""),
                        attributes={
                            "case_id": fields.get("Id", ""),
                            "ticket_id": base["remote_id"],
                        },
                        **base,
                    )
                )
            elif kind_of == "Task" and fields.get("IsClosed", "").lower() in ("true", "false"):
                found.append(
                    RemoteEvent(
                        kind="task_completed" if closed else "task_reopened",
                        remote_object="task",
                        attributes={"task_status": fields.get("Status", "")[:40]},
                        **base,
                    )
                )
            elif kind_of == "Contact":
                found.append(
                    RemoteEvent(
                        kind="contact_changed",
                        remote_object="contact",
                        contact_remote_id=fields.get("Id", ""),
                        email=fields.get("Email", ""),
                        first_name=fields.get("FirstName", ""),
                        last_name=fields.get("LastName", ""),
                        **base,
                    )
                )
        return found

    def person(self, session: Session, remote_id: str) -> dict[str, str]:
        body = session.call("GET", f"{API}/sobjects/Contact/{remote_id}")
        return {
            "email": body.get("Email") or "",
            "first_name": body.get("FirstName") or "",
            "last_name": body.get("LastName") or "",
        }

    # --- sync --------------------------------------------------------------------------------
    def page(
        self,
        session: Session,
        record: str,
        since: datetime | None,
        token: str,
        fields: tuple[str, ...],
    ) -> Page:
        if token:
            body = session.call("GET", token)
        else:
            names = ["Id", "LastModifiedDate", *sorted(set(fields) - {"Id", "LastModifiedDate"})]
            if any(set(name) - SAFE_FIELD for name in names):
                raise CrmError("A mapped Salesforce field name has characters SOQL refuses.")
            # SOQL to Salesforce, not SQL: names checked against SAFE_FIELD just above.
            soql = f"SELECT {', '.join(names)} FROM {self.objects[record]}"  # noqa: S608
            if since is not None:
                soql += f" WHERE LastModifiedDate > {iso(since)}"
            soql += " ORDER BY LastModifiedDate ASC"
            body = session.call("GET", f"{API}/query", query={"q": soql})
        page = Page(next_token="" if body.get("done", True) else body.get("nextRecordsUrl", ""))
        for item in body.get("records") or []:
            if item.get("Id"):
                page.records.append(
                    RemoteRecord(item["Id"], parse_time(item.get("LastModifiedDate")), item)
                )
        return page

    def push(self, session: Session, record: str, remote_id: str, fields: dict[str, Any]) -> str:
        path = f"{API}/sobjects/{self.objects[record]}"
        if remote_id:
            session.call("PATCH", f"{path}/{remote_id}", fields)
            return remote_id
        answer = session.call("POST", path, fields)
        if answer.get("success") is False:
            raise CrmError(f"Salesforce refused the record: {answer.get('errors')}")
        return str(answer.get("id") or "")

    # --- write-back --------------------------------------------------------------------------
    def write_feedback(self, session: Session, target: dict[str, str], feedback: Feedback) -> None:
        if target.get("ticket"):
            comment = {"ParentId": target["ticket"], "CommentBody": feedback.note()}
            session.call("POST", f"{API}/sobjects/CaseComment", comment)
            return
        if not target.get("contact"):
            raise CrmError("The response's contact is not linked to a Salesforce contact.")
        fields = {
            "Voxloop_NPS__c": feedback.nps,
            "Voxloop_CSAT__c": feedback.csat,
            "Voxloop_Comment__c": feedback.comment[:1000],
        }
        session.call("PATCH", f"{API}/sobjects/Contact/{target['contact']}", fields)

    def open_ticket(self, session: Session, target: dict[str, str], case: CaseInfo) -> str:
        task: dict[str, Any] = {
            "Subject": case.title[:200],
            "Description": f"{case.body}\n\n{case.link}",
            "Status": "Not Started",
            "Priority": "High" if case.priority in ("high", "urgent") else "Normal",
        }
        if target.get("contact"):
            task["WhoId"] = target["contact"]
        if target.get("ticket"):
            task["WhatId"] = target["ticket"]
        answer = session.call("POST", f"{API}/sobjects/Task", task)
        return str(answer.get("id") or "")

    def set_status(self, session: Session, remote: str, resolved: bool) -> None:
        status = "Completed" if resolved else "Not Started"
        session.call("PATCH", f"{API}/sobjects/Task/{remote}", {"Status": status})

    def ticket_states(self, session: Session, remote_ids: list[str]) -> dict[str, bool]:
        states = {}
        safe = [i for i in remote_ids if i.isalnum() and len(i) in (15, 18)]
        for ids in chunks(safe):
            quoted = ", ".join(f"'{i}'" for i in ids)  # alphanumeric ids only, checked above
            soql = f"SELECT Id, IsClosed FROM Task WHERE Id IN ({quoted})"  # noqa: S608
            body = session.call("GET", f"{API}/query", query={"q": soql})
            while True:
                for task in body.get("records") or []:
                    if task.get("Id"):
                        states[str(task["Id"])] = bool(task.get("IsClosed"))
                if body.get("done", True) or not body.get("nextRecordsUrl"):
                    break
                body = session.call("GET", body["nextRecordsUrl"])
        return states
