"""The pieces of `voxloop cluster` that hold the topology together, fast: deploy/haproxy.cfg
routes around a killed web node (two stand-in nodes on loopback), the cuttable PostgreSQL proxy
cuts and restores, and kill_tree takes a node's whole process tree down."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from voxloop.cli.cluster import DEPLOY, descendants, kill_tree

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def node(name: str, says: Callable[[BaseHTTPRequestHandler], str] | None = None):
    """A stand-in web node answering its name (or what `says` makes of the request)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = (says(self) if says else name).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def get(port: int) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""
    except OSError:  # the balancer is not listening yet
        return 0, ""


@pytest.mark.skipif(not Path(HAPROXY).exists(), reason="Debian's haproxy is not installed")
def test_the_balancer_routes_around_a_killed_node(tmp_path):
    one, two = node("one"), node("two")
    lb_port = free_port()
    env = dict(
        os.environ,
        VX_LB_BIND=f"127.0.0.1:{lb_port}",
        VX_WEB1=f"127.0.0.1:{one.server_address[1]}",
        VX_WEB2=f"127.0.0.1:{two.server_address[1]}",
        VX_HAPROXY_SOCKET=str(tmp_path / "haproxy.sock"),
        VX_HEALTH_HOST="127.0.0.1",
    )
    config = str(DEPLOY / "haproxy.cfg")
    check = subprocess.run([HAPROXY, "-c", "-f", config], env=env, capture_output=True)
    assert check.returncode == 0, check.stderr
    balancer = subprocess.Popen(
        [HAPROXY, "-db", "-f", config], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 15
        while seen != {"one", "two"} and time.monotonic() < deadline:
            status, body = get(lb_port)
            if status == 200:
                seen.add(body)
            time.sleep(0.05)
        assert seen == {"one", "two"}  # both in the pool: the health checks passed
        one.shutdown()
        one.server_close()  # node one is gone: its port refuses connections
        answers = [get(lb_port) for _ in range(20)]
        assert answers == [(200, "two")] * 20  # refused connections retried on node two
    finally:
        balancer.terminate()
        balancer.wait(timeout=10)
        two.shutdown()


def echo_server() -> socket.socket:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def serve() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=_echo, args=(connection,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener


def _echo(connection: socket.socket) -> None:
    with connection:
        while data := connection.recv(1024):
            connection.sendall(data)


def talk(port: int, text: bytes = b"ping") -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(text)
        return client.recv(1024)


def test_the_database_proxy_cuts_and_restores():
    upstream = echo_server()
    port = free_port()
    proxy = subprocess.Popen(
        [
            sys.executable, "-m", "voxloop.cli.tcp_proxy",
            "--listen", f"127.0.0.1:{port}",
            "--target", f"127.0.0.1:{upstream.getsockname()[1]}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert proxy.stdout is not None
        assert proxy.stdout.readline().startswith("proxy ")
        held = socket.create_connection(("127.0.0.1", port), timeout=5)
        held.sendall(b"one")
        assert held.recv(16) == b"one"
        proxy.send_signal(signal.SIGUSR1)
        assert proxy.stdout.readline().strip() == "cut"
        # The open connection is reset and a new one gets nothing: clients fail at once.
        assert held.recv(16) == b"" or pytest.fail("still connected")
        with pytest.raises(OSError):
            reply = talk(port)
            if not reply:
                raise ConnectionResetError
        proxy.send_signal(signal.SIGUSR2)
        assert proxy.stdout.readline().strip() == "restored"
        assert talk(port, b"two") == b"two"
    finally:
        proxy.terminate()
        proxy.wait(timeout=10)
        upstream.close()


def test_kill_tree_takes_the_children_too():
    parent = subprocess.Popen(
        [sys.executable, "-c", "import subprocess, time; subprocess.Popen(['sleep', '30']); "
         "time.sleep(30)"],
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not descendants(parent.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    children = descendants(parent.pid)
    assert children
    kill_tree(parent.pid)
    assert parent.wait(timeout=5) == -signal.SIGKILL
    time.sleep(0.2)
    for pid in children:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # gone
        assert state == "Z"  # killed, waiting for its (dead) parent's reaper
