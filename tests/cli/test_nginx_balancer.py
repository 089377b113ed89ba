"""deploy/nginx/: Debian's nginx as the TLS edge and balancer of two web nodes. The site file
is run as shipped, only its example addresses, name and paths replaced: TLS answers, both
nodes take requests, a killed node's requests go to the other, plain HTTP is sent to HTTPS,
and the nodes hear the scheme and the client's address."""

from __future__ import annotations

import http.client
import shutil
import ssl
import subprocess
import time
from pathlib import Path

import pytest

from tests.cli.test_cluster import free_port, node
from voxloop.cli.cluster import DEPLOY

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
pytestmark = pytest.mark.skipif(
    not (Path(NGINX).exists() and OPENSSL), reason="Debian's nginx or openssl is not installed"
)


def heard(name: str):
    """What a stand-in node answers here: its name and what the proxy told it."""
    return lambda request: " ".join(
        [name, request.headers["X-Forwarded-Proto"], request.headers["X-Forwarded-For"]]
    )


def site(tmp_path: Path, nodes: list[int], http_port: int, https_port: int) -> Path:
    subprocess.run(
        [
            *(OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=cx.example.com", "-keyout", str(tmp_path / "key.pem")),
            *("-out", str(tmp_path / "cert.pem")),
        ],
        check=True,
        capture_output=True,
    )
    text = (DEPLOY / "nginx" / "voxloop.conf").read_text()
    for shipped, here in {
        "10.0.0.11:8000": f"127.0.0.1:{nodes[0]}",
        "10.0.0.12:8000": f"127.0.0.1:{nodes[1]}",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen [::]:80;": "",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "listen [::]:443 ssl http2;": "",
        "/etc/ssl/certs/cx.example.com.pem": str(tmp_path / "cert.pem"),
        "/etc/ssl/private/cx.example.com.key": str(tmp_path / "key.pem"),
        "/etc/nginx/voxloop_proxy.conf": str(DEPLOY / "nginx" / "voxloop_proxy.conf"),
    }.items():
        assert shipped in text, shipped
        text = text.replace(shipped, here)
    (tmp_path / "site.conf").write_text(text)
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
        f"  proxy_temp_path {tmp_path}/proxy;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def ask(port: int, path: str = "/", tls: bool = True) -> tuple[int, str, str]:
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=5, context=context)
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path, headers={"Host": "cx.example.com"})
        answer = connection.getresponse()
        return answer.status, answer.read().decode(), answer.getheader("Location") or ""
    except OSError:
        return 0, "", ""
    finally:
        connection.close()


def test_nginx_terminates_tls_and_routes_around_a_killed_node(tmp_path):
    one, two = node("one", heard("one")), node("two", heard("two"))
    http_port, https_port = free_port(), free_port()
    config = site(tmp_path, [one.server_address[1], two.server_address[1]], http_port, https_port)
    check = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    edge = subprocess.Popen(
        [NGINX, "-c", str(config), "-g", "daemon off;"], stderr=subprocess.PIPE, text=True
    )
    try:
        seen: set[str] = set()
        deadline = time.monotonic() + 15
        while len(seen) < 2 and time.monotonic() < deadline:
            status, body, _ = ask(https_port)
            if status == 200:
                seen.add(body)
            time.sleep(0.05)
        assert seen == {"one https 127.0.0.1", "two https 127.0.0.1"}
        status, _, location = ask(http_port, "/s/abc?x=1", tls=False)
        assert (status, location) == (301, "https://cx.example.com/s/abc?x=1")
        one.shutdown()
        one.server_close()  # node one is gone: its port refuses connections
        answers = [ask(https_port)[:2] for _ in range(20)]
        assert answers == [(200, "two https 127.0.0.1")] * 20
    finally:
        edge.terminate()
        edge.wait(timeout=10)
        two.shutdown()
