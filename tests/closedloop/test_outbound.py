"""The outbound guard (voxloop.outbound) behind alert webhooks: only public addresses unless
allowed, the checked address is the one connected to (a second DNS answer changes nothing),
redirects are not followed, and HTTPS keeps its host name for SNI and the certificate.

Servers here listen on 127.0.0.1 (allowed through OUTBOUND_ALLOWED_NETWORKS, as an operator
would) and 127.0.0.2 (a service on the same machine that must never be reached)."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest

from tests.closedloop.receiver import Receiver
from tests.closedloop.support import submit
from tests.closedloop.test_notifications import DETRACTOR, SECRET, hook_rule
from tests.smtp import free_port
from voxloop import outbound
from voxloop.closedloop import evaluation
from voxloop.closedloop.models import Notification

TLS = Path(__file__).parent / "tls"  # a CA and a hooks.tls.test certificate, for tests only

REFUSED = [
    "127.0.0.1", "127.0.0.2", "10.1.2.3", "172.16.0.1", "192.168.1.1", "100.64.0.1",
    "169.254.169.254", "0.0.0.0", "255.255.255.255", "224.0.0.1", "192.0.2.10",  # noqa: S104
    "100.100.100.200", "168.63.129.16",
    "::1", "::", "fe80::1", "fd00::1", "fd00:ec2::254", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1",
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 around the metadata service
    "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
]  # fmt: skip
PUBLIC = ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    assert outbound.refusal(address)


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    assert outbound.refusal(address) is None


def test_the_allow_list_opens_exactly_its_networks(settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32", "fd12::/64"]
    assert outbound.refusal("127.0.0.1") is None
    assert outbound.refusal("::ffff:127.0.0.1") is None
    assert outbound.refusal("fd12::5") is None
    assert outbound.refusal("127.0.0.2")
    assert outbound.refusal("169.254.169.254")


@pytest.mark.parametrize(
    "url",
    ["ftp://x.example/", "http://user:pw@x.example/", "http://x.example:port/", "http://",
     "http://x.example/a b", "http://x.example/\r\nX: y", "javascript:alert(1)", None],
)  # fmt: skip
def test_urls_that_cannot_be_destinations(url):
    assert outbound.url_problem(url)


class Resolver:
    """A DNS that answers each name from a list, one answer per lookup, the last one after
    that (a rebinding attacker's server); numeric addresses resolve as they are."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers = answers
        self.lookups: list[str] = []
        self.real = socket.getaddrinfo

    def __call__(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.lookups.append(host)
        queue = self.answers[host]
        address = queue.pop(0) if len(queue) > 1 else queue[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


@pytest.fixture
def servers():
    port = free_port()
    started = {
        "receiver": Receiver(port=port),
        "internal": Receiver(port=port, host="127.0.0.2"),  # same port, another address
    }
    yield started
    for server in started.values():
        server.stop()


def deliver_to(world, survey, url):
    hook_rule(world, survey, "webhook", url, SECRET)
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    return Notification.objects.get(case=case)


def test_a_second_dns_answer_cannot_move_the_request(world, survey, servers, monkeypatch):
    """Checked at 127.0.0.1 (allowed), then rebound to 127.0.0.2: the request still goes to
    the address that was checked, with the URL's host name in the Host header."""
    for server in servers.values():
        server.start()
    resolver = Resolver({"hooks.rebind.test": ["127.0.0.1", "127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = servers["receiver"].port
    row = deliver_to(world, survey, f"http://hooks.rebind.test:{port}/hook")
    assert servers["internal"].requests == []
    [request] = servers["receiver"].requests
    assert request.headers["Host"] == f"hooks.rebind.test:{port}"
    assert row.status == "sent"
    assert resolver.lookups == ["hooks.rebind.test"]  # one lookup, one checked answer


class LoopbackOnly:
    """socket.create_connection that connects to loopback only and records every other
    address it was asked for: no test ever sends a packet to a public address."""

    def __init__(self):
        self.real = socket.create_connection
        self.refused: list[tuple[str, int]] = []

    def __call__(self, address, *args, **kwargs):
        host, port = address
        for *_, (ip, _port) in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
            if ip.startswith("127."):
                return self.real((ip, port), *args, **kwargs)
            self.refused.append((ip, port))
        raise ConnectionRefusedError("not on loopback")


def test_rebinding_from_a_public_answer_to_a_local_one_reaches_nothing_local(
    world, survey, servers, monkeypatch, settings
):
    """The classic attack: the check sees a public address, the connection's own lookup gets
    127.0.0.2. Only the checked (public) address is ever connected to."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # production's default: nothing private allowed
    internal = servers["internal"]
    internal.start()
    resolver = Resolver({"hooks.rebind.test": ["93.184.216.34", "127.0.0.2"]})
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    connections = LoopbackOnly()
    monkeypatch.setattr(socket, "create_connection", connections)
    row = deliver_to(world, survey, f"http://hooks.rebind.test:{internal.port}/hook")
    assert internal.requests == []
    assert connections.refused == [("93.184.216.34", internal.port)]
    assert row.status == "pending" and "refused" in row.last_error.lower()


def test_redirects_are_not_followed(world, survey, servers):
    internal = servers["internal"]
    receiver = servers["receiver"]
    receiver.status, receiver.location = 302, f"http://127.0.0.2:{internal.port}/admin"
    receiver.start()
    internal.start()
    row = deliver_to(world, survey, receiver.url)
    assert len(receiver.requests) == 1
    assert internal.requests == []
    assert row.status == "failed" and "redirect" in row.last_error


def test_a_name_resolving_to_a_refused_address_is_refused(world, survey, servers, monkeypatch):
    internal = servers["internal"]
    internal.start()
    monkeypatch.setattr(socket, "getaddrinfo", Resolver({"intranet.test": ["127.0.0.2"]}))
    row = deliver_to(world, survey, f"http://intranet.test:{internal.port}/hook")
    assert row.status == "failed" and "not a public address" in row.last_error
    assert internal.requests == []


def test_https_to_a_pinned_address_keeps_its_name_for_sni_and_the_certificate(monkeypatch):
    served = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    served.load_cert_chain(TLS / "server.pem", TLS / "server.key")
    receiver = Receiver(port=free_port(), tls=served)
    receiver.start()
    trusting = ssl.create_default_context(cafile=str(TLS / "ca.pem"))
    monkeypatch.setattr(outbound, "tls_context", lambda: trusting)
    names = {"hooks.tls.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]}
    monkeypatch.setattr(socket, "getaddrinfo", Resolver(names))
    try:  # 127.0.0.1 is on the allow-list of every closed-loop test (conftest)
        answer = outbound.send("POST", f"https://hooks.tls.test:{receiver.port}/h", b"{}")
        assert answer.status == 200
        assert receiver.server_names == ["hooks.tls.test"]
        assert receiver.requests[0].headers["Host"] == f"hooks.tls.test:{receiver.port}"
        # The same address under a name the certificate does not carry: refused by TLS.
        with pytest.raises(OSError):
            outbound.send("POST", f"https://other.test:{receiver.port}/h", b"{}")
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()
