"""Requests to addresses that users type in (alert webhooks today; event webhooks, review and CRM
connectors next): the one guard against server-side request forgery. Every such request goes
through `send`.

- The host is resolved once, every address it resolves to is checked, and the connection is
  made to a checked address (the pinned IP): a second lookup can no longer answer differently
  (DNS rebinding). HTTPS still sends the host name for SNI and checks the certificate
  against it; the Host header is the URL's.
- An address must be public unicast: loopback, private, link-local (169.254.0.0/16, where
  cloud metadata services live), shared, reserved, documentation, multicast and unspecified
  ranges are refused, and so are IPv4 addresses hidden inside IPv6 ones (::ffff:127.0.0.1,
  6to4, NAT64), plus cloud metadata addresses that look public. The setting
  OUTBOUND_ALLOWED_NETWORKS (VOXLOOP_OUTBOUND_ALLOWED_NETWORKS) lets an operator allow
  networks of their own, such as a receiver on their private network.
- Redirects are not followed: a 3xx answer is refused, naming where it pointed, since the
  next hop would be an unchecked address.
- No proxy from the environment is used, and at most `max_body` bytes of an answer are read.
"""

from __future__ import annotations

import email.utils
import http.client
import ipaddress
import json
import socket
import ssl
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_TIMEOUT = 10
# Metadata and platform services at addresses Python counts as global.
ALWAYS_REFUSED = tuple(
    ipaddress.ip_network(n) for n in ("168.63.129.16/32", "fd00:ec2::254/128", "100.100.100.200/32")
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class RefusedDestination(Exception):
    """A URL this guard will not send to; retrying cannot help."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def url_problem(url: object) -> str | None:
    """Why a URL cannot be a destination (for forms and APIs), or None: http(s) with a host, no
    user or password in it, no blanks or control characters."""
    if not isinstance(url, str) or len(url) > 2000:
        return "An http(s) URL of at most 2000 characters."
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "A URL has no spaces or control characters."
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return "This is not a valid URL."
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "An http(s) URL with a host name."
    if parts.username is not None or parts.password is not None:
        return "Put credentials in a header or the secret, not in the URL."
    return None


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def allowed_networks() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "OUTBOUND_ALLOWED_NETWORKS", ()) or ()))


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, Teredo client), if any."""
    if ip.version != 6:
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(address: str) -> str | None:
    """Why this address may not be connected to, or None when it may."""
    ip = ipaddress.ip_address(address.split("%")[0])
    candidates = [ip]
    inner = _embedded_ipv4(ip)
    if inner is not None:
        candidates.append(inner)
    effective = inner or ip  # ::ffff:10.0.0.5 is 10.0.0.5, as the allow-list means it
    if any(effective in net for net in allowed_networks() if net.version == effective.version):
        return None
    for candidate in candidates:
        if any(candidate in net for net in ALWAYS_REFUSED if net.version == candidate.version):
            return f"{ip} is a cloud metadata address"
        if candidate.is_multicast or not candidate.is_global:
            return f"{ip} is not a public address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to (the one lookup a request makes)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def checked_addresses(host: str, port: int) -> list[str]:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError) as error:
        raise OSError(f"cannot resolve {host}: {error}") from None  # DNS may recover: retried
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise RefusedDestination(f"{host} resolves to a refused address: {reason}")
    if not addresses:
        raise OSError(f"cannot resolve {host}")
    return addresses


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()


class _PinnedHTTP(http.client.HTTPConnection):
    """An HTTP connection to a checked address, with the URL's host in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _PinnedHTTPS(_PinnedHTTP):
    """The same over TLS: SNI and certificate checked against the URL's host, not the IP."""

    default_port = http.client.HTTPS_PORT

    def connect(self) -> None:
        super().connect()
        self.sock = tls_context().wrap_socket(self.sock, server_hostname=self.host)


def send(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = 64_000,
) -> Answer:
    """One request to a user-given URL, to a checked address, following no redirect."""
    problem = url_problem(url)
    if problem:
        raise RefusedDestination(problem)
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    connection_class = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    last_error: OSError | None = None
    for address in checked_addresses(host, port):
        connection = connection_class(host, port, address, timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return _read(answer, max_body)
        except (OSError, http.client.HTTPException) as error:
            last_error = error if isinstance(error, OSError) else OSError(str(error))
        finally:
            connection.close()
    raise last_error or OSError(f"cannot connect to {host}")


def _read(answer: http.client.HTTPResponse, max_body: int) -> Answer:
    if 300 <= answer.status < 400:
        where = (answer.getheader("Location") or "")[:200]
        raise RefusedDestination(
            f"answered {answer.status} redirecting to {where!r}; redirects are not followed, "
            "give the final URL"
        )
    return Answer(answer.status, dict(answer.getheaders()), answer.read(max_body))


class CallFailed(Exception):
    """A JSON call to a provider's API that did not succeed. `transient`: trying later may help
    (unreachable, 429, 5xx, an answer that is not JSON), after `wait` seconds when the provider
    said (Retry-After). `status` is its HTTP status (0 when it did not answer) and `detail` the
    provider's own reason for a refusal. Each connector words it for its users."""

    def __init__(
        self,
        kind: str,
        *,
        transient: bool = False,
        wait: float | None = None,
        status: int = 0,
        detail: str = "",
    ) -> None:
        super().__init__(kind)
        self.kind = kind  # refused_destination | unreachable | busy | refused | not_json
        self.transient = transient
        self.wait = wait
        self.status = status
        self.detail = detail

    def describe(self, provider: str) -> str:
        """One English sentence naming `provider` ("the provider", "the CRM")."""
        return {
            "refused_destination": f"Refused destination: {self.detail}",
            "unreachable": f"Cannot reach {provider}: {self.detail}",
            "busy": f"{provider.capitalize()} answered {self.status}.",
            "refused": f"{provider.capitalize()} refused the request ({self.status})"
            + (f": {self.detail}" if self.detail else "."),
            "not_json": f"{provider.capitalize()}'s answer is not JSON.",
        }[self.kind]


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None without one."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def json_call(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: Any = None,
    query: dict[str, Any] | None = None,
    form: dict[str, str] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    max_body: int = 64_000,
) -> Any:
    """One JSON request to a provider's API through `send` (or a form post, for OAuth token
    endpoints): the parsed answer ({} for an empty one), or CallFailed."""
    if query:
        clean = {k: v for k, v in query.items() if v not in (None, "")}
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode(clean)}"
    sent = {"Accept": "application/json", **(headers or {})}
    data = None
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        sent["Content-Type"] = "application/json"
    try:
        answer = send(method, url, data, sent, timeout=timeout, max_body=max_body)
    except RefusedDestination as error:
        raise CallFailed("refused_destination", detail=str(error)) from None
    except OSError as error:
        raise CallFailed("unreachable", transient=True, detail=str(error)) from None
    if answer.status == 429 or answer.status >= 500:
        wait = retry_after({k.lower(): v for k, v in answer.headers.items()}.get("retry-after"))
        raise CallFailed("busy", transient=True, wait=wait, status=answer.status)
    if answer.status >= 400:
        raise CallFailed("refused", status=answer.status, detail=_reason(answer.body))
    if not answer.body.strip():
        return {}
    try:
        return json.loads(answer.body)
    except ValueError:
        raise CallFailed("not_json", transient=True) from None


def _reason(body: bytes) -> str:
    """The provider's own words for a refusal, at most 200 characters."""
    try:
        data = json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")
    if isinstance(data, list) and data and isinstance(data[0], dict):
        data = data[0]
    if isinstance(data, dict):
        for key in ("message", "description", "error_description", "error"):
            if isinstance(data.get(key), str):
                return data[key][:200]
    return str(data)[:200]
