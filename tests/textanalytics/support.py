"""Text analytics tests run with the network blocked: a model that tried to download
anything (weights, a tokenizer, a dictionary) would fail here instead of quietly working."""

from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"


def shared_testdata() -> Path:
    """The shared third-party test files, wherever this checkout sits beside them."""
    here = Path(__file__).resolve()
    for candidate in (
        os.environ.get("VOXLOOP_TESTDATA"),
        *(parent / "shared" / "testdata" for parent in here.parents),
        "/work/shared/testdata",
    ):
        if candidate and Path(candidate, "reviews-en").is_dir():
            return Path(candidate)
    pytest.skip("the shared test data is not beside this checkout")


class NetworkBlocked(OSError):
    pass


def _is_loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise NetworkBlocked(f"test tried to reach {address!r}")
        return real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise NetworkBlocked(f"test tried to reach {address!r}")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
