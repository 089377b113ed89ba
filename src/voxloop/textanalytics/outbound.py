"""The one door through which text analytics calls out (an organisation's own language
model endpoint).

TODO(outbound guard): another branch is adding the installation-wide outbound guard
(allow-lists, private-address and redirect rules, timeouts, audit). When it is merged,
`post_json` must send through it instead. Until then this client refuses every address that
is not on this machine's loopback, so nothing can leave the server by accident."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.request
from urllib.parse import urlsplit

from voxloop.errors import InvalidInput

TIMEOUT_SECONDS = 20
MAX_RESPONSE = 2_000_000


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead off the machine


def _loopback_only(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The endpoint is an http(s) address.", field="llm_base_url")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 80)}
    except OSError:
        raise InvalidInput(
            "The endpoint's host name does not resolve.", field="llm_base_url"
        ) from None
    if not addresses or not all(
        ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses
    ):
        raise InvalidInput(
            "Only endpoints on this machine are allowed until the outbound guard is installed.",
            field="llm_base_url",
        )


def post_json(url: str, payload: dict, headers: dict | None = None) -> dict:
    _loopback_only(url)
    request = urllib.request.Request(  # noqa: S310 - scheme and host checked above
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json", **(headers or {})},
        method="POST",
    )
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        body = response.read(MAX_RESPONSE + 1)
    if len(body) > MAX_RESPONSE:
        raise ValueError("The endpoint's answer is too large.")
    return json.loads(body)
