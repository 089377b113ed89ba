"""Local fake servers speaking each CRM's documented REST API: authentication (Basic API
tokens, OAuth bearer tokens with the token endpoint and refresh), pagination (Zendesk's
cursor export, HubSpot's search `after`, Salesforce's `nextRecordsUrl`, Freshdesk's pages),
rate-limit replies (429 with Retry-After) and per-record refusals. Tests script them through
their attributes and read what was sent from `requests`."""

from __future__ import annotations

import base64
import json
import re
import threading
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.smtp import free_port


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


Answer = tuple[int, Any, dict[str, str]]


@dataclass
class FakeServer:
    port: int = field(default_factory=free_port)
    requests: list[Seen] = field(default_factory=list)
    # Answered before anything else, one per request: (status, body, headers).
    queued: list[Answer] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, seen: Seen) -> Answer:
        raise NotImplementedError

    def start(self) -> FakeServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                if self.headers.get("Content-Type", "").startswith("application/x-www-form"):
                    body: Any = dict(urllib.parse.parse_qsl(raw.decode()))
                else:
                    body = json.loads(raw) if raw else None
                seen = Seen(self.command, parts.path, query, dict(self.headers), body)
                owner.requests.append(seen)
                status, answer, headers = (
                    owner.queued.pop(0) if owner.queued else owner.handle(seen)
                )
                data = b"" if answer is None else json.dumps(answer).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def sent(self, method: str, pattern: str) -> list[Seen]:
        return [r for r in self.requests if r.method == method and re.fullmatch(pattern, r.path)]


def _stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class FakeZendesk(FakeServer):
    """Zendesk Support: Basic `{email}/token:{token}`; users by cursor export (2 a page)."""

    email: str = "agent@acme.test"
    token: str = "zd-token"
    users: dict[int, dict] = field(default_factory=dict)
    tickets: dict[int, dict] = field(default_factory=dict)
    organizations: dict[int, dict] = field(default_factory=dict)
    refuse_users: set[int] = field(default_factory=set)  # PUT answers 422 for these
    per_page: int = 2

    def add_user(self, uid: int, name: str, email: str, updated: datetime, **extra: Any) -> None:
        self.users[uid] = {
            "id": uid,
            "name": name,
            "email": email,
            "phone": extra.pop("phone", None),
            "updated_at": _stamp(updated),
            "user_fields": extra,
        }

    def handle(self, seen: Seen) -> Answer:
        expected = base64.b64encode(f"{self.email}/token:{self.token}".encode()).decode()
        if seen.headers.get("Authorization") != f"Basic {expected}":
            return 401, {"error": "Couldn't authenticate you"}, {}
        path = seen.path
        if path == "/api/v2/incremental/users/cursor.json":
            ordered = sorted(self.users.values(), key=lambda u: (u["updated_at"], u["id"]))
            if "cursor" in seen.query:
                start = int(seen.query["cursor"])
            else:
                since = datetime.fromtimestamp(int(seen.query.get("start_time", 0)), UTC)
                ordered = [u for u in ordered if u["updated_at"] >= _stamp(since)]
                self._stream = ordered
                start = 0
            stream = getattr(self, "_stream", ordered)
            chunk = stream[start : start + self.per_page]
            end = start + self.per_page >= len(stream)
            return (
                200,
                {
                    "users": chunk,
                    "after_cursor": None if end else str(start + self.per_page),
                    "end_of_stream": end,
                },
                {},
            )
        found = re.fullmatch(r"/api/v2/users/(\d+)\.json", path)
        if found:
            uid = int(found.group(1))
            if uid not in self.users:
                return 404, {"error": "RecordNotFound"}, {}
            if seen.method == "GET":
                return 200, {"user": self.users[uid]}, {}
            if uid in self.refuse_users:
                return 422, {"description": "Email is invalid"}, {}
            change = (seen.body or {}).get("user") or {}
            fields = change.pop("user_fields", {})
            self.users[uid].update(change)
            self.users[uid]["user_fields"].update(fields)
            return 200, {"user": self.users[uid]}, {}
        if path == "/api/v2/users.json" and seen.method == "POST":
            uid = 9000 + len(self.users)
            self.users[uid] = {"id": uid, "user_fields": {}, **(seen.body or {}).get("user", {})}
            return 201, {"user": self.users[uid]}, {}
        if path == "/api/v2/tickets.json" and seen.method == "POST":
            tid = 500 + len(self.tickets)
            self.tickets[tid] = {"id": tid, "status": "new", **seen.body["ticket"]}
            return 201, {"ticket": self.tickets[tid]}, {}
        if path == "/api/v2/incremental/organizations.json":
            return 200, {"organizations": [], "end_of_stream": True, "next_page": None}, {}
        if path == "/api/v2/organizations.json" and seen.method == "POST":
            oid = 360 + len(self.organizations)
            self.organizations[oid] = {"id": oid, **seen.body["organization"]}
            return 201, {"organization": self.organizations[oid]}, {}
        found = re.fullmatch(r"/api/v2/organizations/(\d+)\.json", path)
        if found and seen.method == "PUT" and int(found.group(1)) in self.organizations:
            self.organizations[int(found.group(1))].update(seen.body["organization"])
            return 200, {"organization": self.organizations[int(found.group(1))]}, {}
        if path == "/api/v2/tickets/show_many.json":
            ids = [int(i) for i in seen.query.get("ids", "").split(",") if i]
            return 200, {"tickets": [self.tickets[i] for i in ids if i in self.tickets]}, {}
        found = re.fullmatch(r"/api/v2/tickets/(\d+)\.json", path)
        if found and seen.method == "PUT":
            tid = int(found.group(1))
            ticket = self.tickets.setdefault(tid, {"id": tid, "comments": []})
            change = seen.body["ticket"]
            if "comment" in change:
                ticket.setdefault("comments", []).append(change["comment"])
            if "status" in change:
                ticket["status"] = change["status"]
            return 200, {"ticket": ticket}, {}
        return 404, {"error": "InvalidEndpoint"}, {}


@dataclass
class FakeHubSpot(FakeServer):
    """HubSpot: the OAuth token endpoint (code and refresh grants), contacts by search with
    `after` paging (2 a page), properties PATCH, tasks, deal associations."""

    client_id: str = "hs-client"
    client_secret: str = "hs-secret"
    code: str = "good-code"
    access_token: str = "hs-access-1"
    refreshed: int = 0
    contacts: dict[str, dict] = field(default_factory=dict)
    companies: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    deal_contacts: dict[str, str] = field(default_factory=dict)
    per_page: int = 2

    def add_contact(self, cid: str, email: str, first: str, last: str, updated: datetime) -> None:
        self.contacts[cid] = {
            "id": cid,
            "properties": {
                "email": email,
                "firstname": first,
                "lastname": last,
                "lastmodifieddate": _stamp(updated),
            },
            "updatedAt": _stamp(updated),
        }

    def handle(self, seen: Seen) -> Answer:
        if seen.path == "/oauth/v1/token":
            form = seen.body or {}
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 400, {"status": "BAD_CLIENT_ID", "message": "bad client"}, {}
            if form.get("grant_type") == "authorization_code" and form.get("code") == self.code:
                return 200, self._tokens(), {}
            if form.get("grant_type") == "refresh_token" and form.get("refresh_token") == "hs-rt":
                self.refreshed += 1
                self.access_token = f"hs-access-{self.refreshed + 1}"
                return 200, self._tokens(), {}
            return 400, {"status": "BAD_AUTH_CODE", "message": "invalid code"}, {}
        if seen.headers.get("Authorization") != f"Bearer {self.access_token}":
            return 401, {"status": "error", "message": "Authentication credentials not found"}, {}
        path = seen.path
        if path in ("/crm/v3/objects/contacts/search", "/crm/v3/objects/companies/search"):
            body = seen.body or {}
            kept = self.contacts if "contacts" in path else self.companies
            rows = sorted(kept.values(), key=lambda c: (c["updatedAt"], c["id"]))
            for group in body.get("filterGroups") or []:
                for f in group["filters"]:
                    since = datetime.fromtimestamp(int(f["value"]) / 1000, UTC)
                    rows = [c for c in rows if c["updatedAt"] >= _stamp(since)]
            start = int(body.get("after") or 0)
            chunk = rows[start : start + self.per_page]
            answer: dict[str, Any] = {"total": len(rows), "results": chunk}
            if start + self.per_page < len(rows):
                answer["paging"] = {"next": {"after": str(start + self.per_page)}}
            return 200, answer, {}
        found = re.fullmatch(r"/crm/v3/objects/contacts/(\w+)", path)
        if found:
            contact = self.contacts.get(found.group(1))
            if contact is None:
                return 404, {"message": "Object not found"}, {}
            if seen.method == "PATCH":
                contact["properties"].update(seen.body["properties"])
            return 200, contact, {}
        if path == "/crm/v3/objects/contacts" and seen.method == "POST":
            cid = str(700 + len(self.contacts))
            self.contacts[cid] = {
                "id": cid,
                "properties": seen.body["properties"],
                "updatedAt": _stamp(datetime.now(UTC)),
            }
            return 201, self.contacts[cid], {}
        if path == "/crm/v3/objects/companies" and seen.method == "POST":
            cid = str(600 + len(self.companies))
            self.companies[cid] = {"id": cid, "properties": seen.body["properties"]}
            self.companies[cid]["updatedAt"] = _stamp(datetime.now(UTC))
            return 201, self.companies[cid], {}
        found = re.fullmatch(r"/crm/v3/objects/companies/(\w+)", path)
        if found and seen.method == "PATCH" and found.group(1) in self.companies:
            company = self.companies[found.group(1)]
            company["properties"].update(seen.body["properties"])
            company["updatedAt"] = _stamp(datetime.now(UTC))
            return 200, company, {}
        if path == "/crm/v3/objects/tasks" and seen.method == "POST":
            tid = str(900 + len(self.tasks))
            self.tasks[tid] = {"id": tid, **seen.body}
            return 201, {"id": tid, "properties": seen.body["properties"]}, {}
        if path == "/crm/v3/objects/tasks/batch/read" and seen.method == "POST":
            ids = [i["id"] for i in seen.body["inputs"]]
            return 200, {"status": "COMPLETE", "results": [
                {"id": i, "properties": {"hs_task_status": self.tasks[i]["properties"][
                    "hs_task_status"]}} for i in ids if i in self.tasks
            ]}, {}  # fmt: skip
        found = re.fullmatch(r"/crm/v3/objects/tasks/(\w+)", path)
        if found and seen.method == "PATCH":
            self.tasks[found.group(1)]["properties"].update(seen.body["properties"])
            return 200, self.tasks[found.group(1)], {}
        found = re.fullmatch(r"/crm/v4/objects/deals/(\w+)/associations/contacts", path)
        if found:
            cid = self.deal_contacts.get(found.group(1))
            return 200, {"results": [{"toObjectId": int(cid)}] if cid else []}, {}
        return 404, {"message": "unknown path"}, {}

    def _tokens(self) -> dict:
        return {"access_token": self.access_token, "refresh_token": "hs-rt", "expires_in": 1800}


@dataclass
class FakeSalesforce(FakeServer):
    """Salesforce: the OAuth token endpoint (its answer names the instance and the
    organisation), SOQL through /query with `nextRecordsUrl` (2 a page), sObject PATCH/POST
    (a record can be refused with Salesforce's error list), Tasks."""

    organization_id: str = "00D5g000000ABCDEAA"
    code: str = "sf-code"
    access_token: str = "sf-access"
    contacts: dict[str, dict] = field(default_factory=dict)
    tasks: dict[str, dict] = field(default_factory=dict)
    accounts: dict[str, dict] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    per_page: int = 2

    def add_contact(self, cid: str, email: str, first: str, last: str, updated: datetime) -> None:
        self.contacts[cid] = {
            "attributes": {
                "type": "Contact",
                "url": f"/services/data/v60.0/sobjects/Contact/{cid}",
            },
            "Id": cid,
            "Email": email,
            "FirstName": first,
            "LastName": last,
            "LastModifiedDate": updated.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        }

    def handle(self, seen: Seen) -> Answer:
        if seen.path == "/services/oauth2/token":
            if (seen.body or {}).get("code") != self.code:
                return 400, {"error": "invalid_grant", "error_description": "expired"}, {}
            return (
                200,
                {
                    "access_token": self.access_token,
                    "refresh_token": "sf-rt",
                    "instance_url": self.url,
                    "id": f"https://login.salesforce.com/id/{self.organization_id}/005xx0000012345",
                    "token_type": "Bearer",
                },
                {},
            )
        if seen.headers.get("Authorization") != f"Bearer {self.access_token}":
            return (
                401,
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                {},
            )
        rows = sorted(self.contacts.values(), key=lambda c: (c["LastModifiedDate"], c["Id"]))
        if seen.path == "/services/data/v60.0/query" and "FROM Task" in seen.query["q"]:
            ids = re.findall(r"'(\w+)'", seen.query["q"])
            tasks = [
                {"Id": i, "IsClosed": self.tasks[i]["Status"] == "Completed"}
                for i in ids
                if i in self.tasks
            ]
            return 200, {"totalSize": len(tasks), "done": True, "records": tasks}, {}
        if seen.path == "/services/data/v60.0/query" and "FROM Account" in seen.query["q"]:
            return 200, {"totalSize": 0, "done": True, "records": []}, {}
        if seen.path == "/services/data/v60.0/query":
            return 200, self._page(rows, 0), {}
        if seen.path == "/services/data/v60.0/sobjects/Account" and seen.method == "POST":
            aid = f"001{len(self.accounts):015d}"
            self.accounts[aid] = dict(seen.body)
            return 201, {"id": aid, "success": True, "errors": []}, {}
        found = re.fullmatch(r"/services/data/v60\.0/sobjects/Account/(\w+)", seen.path)
        if found and seen.method == "PATCH" and found.group(1) in self.accounts:
            self.accounts[found.group(1)].update(seen.body)
            return 204, None, {}
        found = re.fullmatch(r"/services/data/v60\.0/query/01gxx-(\d+)", seen.path)
        if found:
            return 200, self._page(rows, int(found.group(1))), {}
        found = re.fullmatch(r"/services/data/v60\.0/sobjects/Contact/(\w+)", seen.path)
        if found:
            cid = found.group(1)
            if seen.method == "GET":
                return 200, self.contacts[cid], {}
            if cid in self.refuse:
                return 400, [{"message": "invalid email", "errorCode": "INVALID_EMAIL_ADDRESS"}], {}
            self.contacts[cid].update(seen.body)
            return 204, None, {}
        if seen.path == "/services/data/v60.0/sobjects/Task" and seen.method == "POST":
            tid = f"00T{len(self.tasks):015d}"
            self.tasks[tid] = dict(seen.body)
            return 201, {"id": tid, "success": True, "errors": []}, {}
        found = re.fullmatch(r"/services/data/v60\.0/sobjects/Task/(\w+)", seen.path)
        if found:
            self.tasks[found.group(1)].update(seen.body)
            return 204, None, {}
        return (
            404,
            [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}],
            {},
        )

    def _page(self, rows: list[dict], start: int) -> dict:
        chunk = rows[start : start + self.per_page]
        done = start + self.per_page >= len(rows)
        answer: dict[str, Any] = {"totalSize": len(rows), "done": done, "records": chunk}
        if not done:
            answer["nextRecordsUrl"] = f"/services/data/v60.0/query/01gxx-{start + self.per_page}"
        return answer


@dataclass
class FakeFreshdesk(FakeServer):
    """Freshdesk: Basic `{api_key}:X`; contacts in pages of `per_page`; ticket notes."""

    api_key: str = "fd-key"
    contacts: list[dict] = field(default_factory=list)
    notes: dict[str, list[dict]] = field(default_factory=dict)
    tickets: dict[str, dict] = field(default_factory=dict)
    companies: dict[str, dict] = field(default_factory=dict)

    def handle(self, seen: Seen) -> Answer:
        expected = base64.b64encode(f"{self.api_key}:X".encode()).decode()
        if seen.headers.get("Authorization") != f"Basic {expected}":
            return 401, {"code": "invalid_credentials", "message": "You have to be logged in"}, {}
        if seen.path == "/api/v2/contacts":
            page, per_page = int(seen.query.get("page", 1)), int(seen.query.get("per_page", 30))
            rows = self.contacts
            if seen.query.get("updated_since"):
                rows = [c for c in rows if c["updated_at"] >= seen.query["updated_since"]]
            return 200, rows[(page - 1) * per_page : page * per_page], {}
        if seen.path == "/api/v2/companies" and seen.method == "GET":
            return 200, [], {}
        if seen.path == "/api/v2/companies" and seen.method == "POST":
            cid = str(70 + len(self.companies))
            self.companies[cid] = {"id": int(cid), **seen.body}
            return 201, self.companies[cid], {}
        found = re.fullmatch(r"/api/v2/companies/(\d+)", seen.path)
        if found and seen.method == "PUT" and found.group(1) in self.companies:
            self.companies[found.group(1)].update(seen.body)
            return 200, self.companies[found.group(1)], {}
        if seen.path == "/api/v2/tickets" and seen.method == "POST":
            tid = str(800 + len(self.tickets))
            self.tickets[tid] = {"id": int(tid), **seen.body}
            return 201, self.tickets[tid], {}
        found = re.fullmatch(r"/api/v2/tickets/(\d+)", seen.path)
        if found:
            ticket = self.tickets.get(found.group(1))
            if ticket is None:
                return 404, {"code": "not_found"}, {}
            if seen.method == "PUT":
                ticket.update(seen.body)
            return 200, ticket, {}
        found = re.fullmatch(r"/api/v2/tickets/(\d+)/notes", seen.path)
        if found:
            self.notes.setdefault(found.group(1), []).append(seen.body)
            return 201, {"id": 1, **seen.body}, {}
        found = re.fullmatch(r"/api/v2/contacts/(\d+)", seen.path)
        if found:
            return (
                200,
                {"id": int(found.group(1)), "name": "Dee Ray", "email": "dee@example.test"},
                {},
            )
        return 404, {"code": "not_found"}, {}
