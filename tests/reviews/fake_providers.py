"""A small threaded HTTP server standing in for the review providers, replaying payloads shaped
as each provider documents them: pagination, rate-limit answers (429 with Retry-After), 5xx,
deleted and edited reviews, owner replies, non-Latin text. Tests script it by path."""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
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


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeProvider:
    """`pages[(path, page_key)]` answers a GET whose query names that page (the value of
    `page_param`, "" for the first); `queued[path]` answers before any page (rate limits);
    POST/PUT are recorded and answered from `writes`."""

    page_param: str = "pageToken"
    pages: dict[tuple[str, str], Any] = field(default_factory=dict)
    queued: dict[str, list[Reply]] = field(default_factory=dict)
    writes: dict[str, Reply] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer(self, method: str, path: str, query: dict[str, str]) -> Reply:
        queue = self.queued.get(path)
        if queue:
            return queue.pop(0)
        if method in ("POST", "PUT"):
            return self.writes.get(path, Reply(200, {}))
        key = (path, query.get(self.page_param, ""))
        if key not in self.pages:
            return Reply(
                404, {"error": {"code": 404, "message": "Requested entity was not found."}}
            )
        return Reply(200, self.pages[key])

    def start(self) -> FakeProvider:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def handle_any(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                if "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    body: Any = dict(urllib.parse.parse_qsl(raw.decode()))  # OAuth tokens
                else:
                    body = json.loads(raw) if raw else None
                owner.requests.append(
                    Seen(self.command, parts.path, query, dict(self.headers), body)
                )
                reply = owner.answer(self.command, parts.path, query)
                data = json.dumps(reply.body or {}, ensure_ascii=False).encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = handle_any

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

    def posts(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method in ("POST", "PUT") and r.path == path]

    def gets(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.method == "GET" and r.path == path]
