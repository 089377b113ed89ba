"""The client's address behind the request, for rate limits, login throttling and the audit
log: shared by the tenancy middleware, the sign-in pages and the public endpoints."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def request_ip(request: HttpRequest) -> str | None:
    """The client's address, for login throttling and the audit log.

    Behind a proxy (VOXLOOP_TRUST_X_FORWARDED_FOR) it is the last X-Forwarded-For entry: the
    one our proxy appended. Entries before it are whatever the client sent, so trusting the
    first would let anyone pick the address they are throttled and audited under.
    """
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if settings.TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return _address(forwarded.rsplit(",", 1)[-1]) or remote
    return remote
