"""A real HTTP server on loopback standing in for Slack, Teams or a customer's webhook (or, in
the outbound guard's tests, for a redirecting receiver or a service it must never reach)."""

from __future__ import annotations

import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes
    method: str = "POST"


@dataclass
class Receiver:
    port: int
    status: int = 200
    host: str = "127.0.0.1"
    location: str = ""  # with a 3xx status: where to send the caller
    tls: ssl.SSLContext | None = None
    requests: list[Received] = field(default_factory=list)
    server_names: list[str] = field(default_factory=list)  # SNI seen in TLS handshakes
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hook"

    def start(self) -> None:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                owner.requests.append(Received(self.path, dict(self.headers), body, self.command))
                self.send_response(owner.status)
                if owner.location:
                    self.send_header("Location", owner.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_GET = answer

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        if self.tls is not None:
            self.tls.sni_callback = lambda sock, name, ctx: owner.server_names.append(name)
            self._server.socket = self.tls.wrap_socket(self._server.socket, server_side=True)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
