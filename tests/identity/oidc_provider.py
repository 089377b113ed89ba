"""A minimal OpenID Connect provider on loopback, built from joserfc: discovery, keys, the
token endpoint (client secret, PKCE, one-use codes). The authorization step is the test's:
it reads the redirect our sign-in sends and calls `grant` with the claims it wants."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey


class OidcProvider:
    def __init__(self, client_id: str = "voxloop", client_secret: str = "s3cret") -> None:  # noqa: S107
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1", "use": "sig"})
        self.codes: dict[str, dict[str, Any]] = {}
        self.token_requests = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> OidcProvider:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def id_token(
        self, claims: dict[str, Any], *, key: Any = None, header: dict | None = None
    ) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, **claims}
        return jwt.encode(header or {"alg": "RS256", "kid": "k1"}, body, key or self.key)

    def logout_token(
        self, claims: dict[str, Any], *, key: Any = None, drop: tuple[str, ...] = ()
    ) -> str:
        """A back-channel logout token (typ logout+jwt) for these claims (`sid`, `sub`)."""
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": now,
            "exp": now + 120,
            "jti": secrets.token_urlsafe(12),
            "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
            **claims,
        }
        for name in drop:
            body.pop(name, None)
        header = {"alg": "RS256", "kid": "k1", "typ": "logout+jwt"}
        return jwt.encode(header, body, key or self.key)

    def grant(self, authorize_url: str, claims: dict[str, Any], **token_options: Any) -> str:
        """What the provider does after the person signs in: a code for these claims. Returns
        the callback URL (path and query) the browser is sent back to."""
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize_url).query))
        assert query["client_id"] == self.client_id
        assert query["code_challenge_method"] == "S256"
        code = secrets.token_urlsafe(16)
        if "nonce" not in claims:
            claims = {**claims, "nonce": query["nonce"]}
        self.codes[code] = {
            "claims": claims,
            "challenge": query["code_challenge"],
            "redirect_uri": query["redirect_uri"],
            "options": token_options,
        }
        back = urllib.parse.urlsplit(query["redirect_uri"])
        return f"{back.path}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"

    def _token(self, form: dict[str, str], authorization: str) -> tuple[int, dict[str, Any]]:
        self.token_requests += 1
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .decode()
            .rstrip("=")
        )
        if challenge != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        token = self.id_token(grant["claims"], **grant["options"])
        return 200, {"access_token": "at", "token_type": "Bearer", "id_token": token}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(self, status: int, body: dict[str, Any]) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/.well-known/openid-configuration":
                    self._send(200, provider.discovery())
                elif self.path == "/jwks":
                    self._send(200, KeySet([provider.key]).as_dict(private=False))
                else:
                    self._send(404, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                if self.path == "/token":
                    self._send(*provider._token(form, self.headers.get("Authorization", "")))
                else:
                    self._send(404, {})

        return Handler
