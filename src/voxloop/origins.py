"""Web origins that our pages may be framed by or answer for (survey widgets, idea board
widgets): one normal form, so a list an admin typed compares equal to a browser's Origin."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^(?:{_LABEL}\.)*{_LABEL}$")


def normal_origin(value: Any) -> str:
    """'https://Shop.Example.com/' → 'https://shop.example.com'; '' when not an origin.

    Quotes and semicolons are refused too: an origin goes into a Content-Security-Policy
    header, where either would end the source list."""
    text = str(value or "").strip()
    if not text or len(text) > 200 or any(c.isspace() or c in "\x00\\;'\"" for c in text):
        return ""
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or not _HOST.match(host):
        return ""
    if parts.username or parts.password or parts.query or parts.fragment:
        return ""
    if parts.path not in ("", "/"):
        return ""
    default = {"http": 80, "https": 443}[parts.scheme]
    return f"{parts.scheme}://{host}" + (f":{port}" if port and port != default else "")
