"""The security headers of every answer: Content-Security-Policy, Permissions-Policy, and no
caching of what a signed-in person sees.

The policy allows scripts and styles from this site only. The one inline script (the shell's
`class="js"` switch, run before the page paints) is allowed by its hash; the few inline style
blocks that carry a per-survey colour or a chart's widths carry the request's nonce
(`{{ csp_nonce }}`). No inline event handler and no style attribute is allowed.

A view may set its own `frame-ancestors` (the web widget's framed pages, decision 0009) or
any other directive: what the answer already has is kept, the rest is filled in. A view that
allows framing by its own site (`xframe_options_sameorigin`) gets `frame-ancestors 'self'`.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import cast

from django.http import HttpRequest
from django.http.response import HttpResponseBase

# The shell's inline script (web/templates/web/base.html), exactly as written there.
SHELL_SCRIPT = 'document.documentElement.className = "js";'
SCRIPT_HASHES = (
    "'sha256-" + base64.b64encode(hashlib.sha256(SHELL_SCRIPT.encode()).digest()).decode() + "'",
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope",
        "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking",
    )
)  # fmt: skip


def policy(nonce: str, frame_ancestors: str = "'none'") -> dict[str, str]:
    return {
        "default-src": "'self'",
        "script-src": " ".join(("'self'", *SCRIPT_HASHES)),
        "style-src": f"'self' 'nonce-{nonce}'",
        # Survey logos are https:// addresses of the customer's choosing; QR codes are data:.
        "img-src": "'self' data: https:",
        "font-src": "'self'",
        "connect-src": "'self'",
        "frame-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": frame_ancestors,
    }


def _parse(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    return directives


def content_security_policy(nonce: str, existing: str = "", x_frame_options: str = "") -> str:
    framing = "'self'" if x_frame_options.upper() == "SAMEORIGIN" else "'none'"
    directives = policy(nonce, framing)
    directives.update(_parse(existing))  # what the view set wins
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class NoncedRequest(HttpRequest):
    """A request past this middleware (for type checking only)."""

    csp_nonce: str


class SecurityHeadersMiddleware:
    """First in MIDDLEWARE, so it sees every answer last (X-Frame-Options included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, http_request: HttpRequest) -> HttpResponseBase:
        request = cast(NoncedRequest, http_request)
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        response["Content-Security-Policy"] = content_security_policy(
            request.csp_nonce,
            response.get("Content-Security-Policy", ""),
            response.get("X-Frame-Options", ""),
        )
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            # What a signed-in person sees (contacts, answers) stays out of every cache.
            response["Cache-Control"] = "no-store"
        return response


def nonce(request: HttpRequest) -> dict[str, str]:
    """Context processor: `{{ csp_nonce }}` for the inline style blocks that need one."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
