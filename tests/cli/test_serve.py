"""`voxloop serve` for real: gunicorn and the worker as children of one supervised process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest

STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_postgres(url: str):
    """A database of its own on the server DATABASE_URL points at, dropped afterwards."""
    import psycopg

    name = f"vx_cli_serve_{uuid.uuid4().hex[:10]}"
    server = url.rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def server_env(tmp_path: Path, queue: str):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VOXLOOP_", "REDIS_URL"))}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["VOXLOOP_HOME"] = str(tmp_path / "home")
    if queue == "rq":
        base = os.environ["REDIS_URL_FOR_TESTS"].rsplit("/", 1)[0]
        env["REDIS_URL"] = f"{base}/12"
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        with scratch_postgres(database_url) as url:
            env["DATABASE_URL"] = url
            yield env
    else:
        yield env


def wait_healthy(port: int, process: subprocess.Popen) -> tuple[int, dict]:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "voxloop serve exited during start-up"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                return reply.status, json.loads(reply.read())
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer /healthz in time")


def children_of(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(part) for part in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def start_server(env: dict, port: int, *extra: str) -> subprocess.Popen:
    argv = [sys.executable, "-m", "voxloop.cli", "serve", "--port", str(port), "--workers", "1"]
    argv += extra
    # A file, not a pipe nobody reads: the RQ worker's log filled the pipe's 64 KB on a busy
    # machine and blocked the worker before it ran the ping (`server_log` reads it).
    log = open(Path(env["VOXLOOP_HOME"]).parent / "serve.log", "wb")  # noqa: SIM115
    try:
        return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=log)
    finally:
        log.close()  # the child holds its own copy


def server_log(env: dict) -> bytes:
    return (Path(env["VOXLOOP_HOME"]).parent / "serve.log").read_bytes()


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
        process.wait()


QUEUES = [
    "database",
    pytest.param(
        "rq",
        marks=[
            pytest.mark.redis,
            pytest.mark.skipif(
                not os.environ.get("REDIS_URL_FOR_TESTS"), reason="REDIS_URL_FOR_TESTS not set"
            ),
        ],
    ),
]


@pytest.mark.parametrize("queue", QUEUES)
def test_serve_answers_runs_tasks_and_stops_both_children_on_sigterm(tmp_path, queue):
    port = free_port()
    with server_env(tmp_path, queue) as env:
        process = start_server(env, port)
        try:
            status, health = wait_healthy(port, process)
            assert status == 200
            assert health == {"status": "ok", "database": "ok", "tasks": "ok"}
            check = subprocess.run(
                [sys.executable, "-m", "voxloop.cli", "check", "--worker", "30"],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert check.returncode == 0, (check.stderr, server_log(env)[-3000:])
            assert "worker: ok" in check.stdout
            children = children_of(process.pid)
            assert len(children) == 2 and all(alive(pid) for pid in children)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=40) == 0
            assert not any(alive(pid) for pid in children)
        finally:
            stop(process)


def test_serve_exits_non_zero_when_a_child_dies(tmp_path):
    port = free_port()
    with server_env(tmp_path, "database") as env:
        process = start_server(env, port)
        try:
            wait_healthy(port, process)
            web, worker = children_of(process.pid)
            os.kill(worker, signal.SIGKILL)
            assert process.wait(timeout=40) == 1
            assert not alive(web)
            assert b"task worker exited" in server_log(env)
        finally:
            stop(process)


def test_serve_runs_as_many_task_workers_as_asked(tmp_path):
    port = free_port()
    with server_env(tmp_path, "database") as env:
        process = start_server(env, port, "--task-workers", "2")
        try:
            assert wait_healthy(port, process)[0] == 200
            children = children_of(process.pid)
            assert len(children) == 3 and all(alive(pid) for pid in children)
            cmdlines = [Path(f"/proc/{p}/cmdline").read_bytes() for p in children]
            assert sum(c.endswith(b"voxloop.cli\x00worker\x00") for c in cmdlines) == 2
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=40) == 0
            assert not any(alive(pid) for pid in children)
        finally:
            stop(process)
