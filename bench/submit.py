"""Benchmark: respondent submissions over HTTP against a bare endpoint of the same server.

Starts `voxloop serve` on loopback (gunicorn + worker, as in production), then for a fixed time
runs many concurrent keep-alive clients against (1) `GET /livez`, a view that touches nothing,
(2) `GET /api/v1/me`, the smallest authenticated API call (for scale), (3) `POST /bench/floor`,
the least any capture that stores before it answers can cost here (the same body parsed, one
INSERT; a bench-only URL, see bench/floor_urls.py), and (4) `POST /api/v1/responses`, the full
capture path as a registered kiosk posts (kiosk token auth, scope, validation, scoring,
snapshot, insert, event). The phases
alternate for several rounds, so a noisy neighbour slows them alike; it prints requests/s and
p50/p99 latency of each phase over all rounds, the median of the rounds' ratios
submissions/bare (goal ≥ 0.5) and floor/bare (the most any stored capture could reach on this
machine), and checks every accepted submission is in the database.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/submit.py [--seconds 5] [--rounds 3] [--clients 16] [--workers N]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import percentile, published_visit_survey, scratch_database, start_django

GOAL_RATIO = 0.5
BARE = "bare endpoint GET /livez"
FLOOR = "floor POST /bench/floor"
SUBMIT = "submit POST /api/v1/responses"
COMMENTS = ["", "Quick and friendly.", "The queue was long.", "很好", "とても良い", "Foarte bine"]


def prepare() -> tuple[str, str, int, list[str], dict]:
    """An organisation with 20 stores, a live NPS survey, a registered kiosk's token (the
    submissions) and a manager's API token (the authenticated GET), and where the floor phase
    stores its rows (another survey, so they are not counted as submissions)."""
    from voxloop.accounts.services import create_token, create_user
    from voxloop.responses import kiosks
    from voxloop.surveys import services as surveys
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Retail", slug="bench")
    system = Scope.system(root)
    codes = []
    for n in range(20):
        tenancy.create_unit(
            actor=system, parent=root, name=f"Store {n}", kind="store", code=f"S{n:03}"
        )
        codes.append(f"S{n:03}")
    user = create_user(username="bench-kiosk", password=None)
    membership = tenancy.grant_membership(actor=system, user=user, unit=root, role="manager")
    survey = published_visit_survey(system, root)
    floor = surveys.create_survey(actor=system, unit=root, name="Floor", kind="transactional")
    target = {"organization_id": root.pk, "survey_id": floor.pk, "unit_path": floor.unit_path}
    _kiosk, kiosk_secret = kiosks.register(actor=system, unit=root, name="bench", channel="kiosk")
    person = create_token(membership=membership, name="bench").secret
    return person, kiosk_secret, survey.pk, codes, target


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    env: dict,
    port: int,
    workers: int | None,
    threads: int | None = None,
    task_workers: int | None = None,
) -> subprocess.Popen:
    argv = [sys.executable, "-m", "voxloop.cli", "serve", "--port", str(port), "--no-migrate"]
    if workers:
        argv += ["--workers", str(workers)]
    if task_workers:
        argv += ["--task-workers", str(task_workers)]
    if threads:
        argv += ["--threads", str(threads)]
    server = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("voxloop serve did not become healthy in 60 s")


def load(port: int, seconds: float, clients: int, request_for) -> tuple[list[float], int]:
    """Run `clients` keep-alive connections for `seconds`; latencies (ms) and error count."""
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    stop_at = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n = 0
        while time.monotonic() < stop_at:
            method, path, body, headers = request_for(index, n)
            start = time.perf_counter()
            try:
                connection.request(method, path, body=body, headers=headers)
                reply = connection.getresponse()
                reply.read()
                ok = reply.status in (200, 201)
            except (OSError, http.client.HTTPException):
                ok = False
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            if ok:
                latencies[index].append((time.perf_counter() - start) * 1000)
            else:
                errors[index] += 1
            n += 1
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [x for per_client in latencies for x in per_client], sum(errors)


def report(name: str, latencies: list[float], errors: int, seconds: float) -> float:
    rate = len(latencies) / seconds
    print(
        f"{name:<34}{rate:>10.0f} req/s   p50 {percentile(latencies, 50):6.1f} ms"
        f"   p99 {percentile(latencies, 99):6.1f} ms   errors {errors}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5, help="per phase and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    with scratch_database("vx_bench_submit") as env:
        start_django(env)
        from django.db import connection

        tokens = prepare()
        vendor = connection.vendor
        connection.close()
        env = {k: v for k, v in env.items() if k != "VOXLOOP_TASKS"}
        # One token sends every request: the per-token limit is counted, never reached.
        env["VOXLOOP_API_RATE_LIMIT"] = f"{10**9}/60"
        root = str(Path(__file__).resolve().parent.parent)
        env["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        port = free_port()
        server = start_server(env, port, args.workers, args.threads)
        try:
            run(args, port, *tokens, vendor)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def run(
    args,
    port: int,
    token: str,
    kiosk_token: str,
    survey_id: int,
    codes: list[str],
    floor: dict,
    vendor: str,
) -> None:
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    kiosk = {"Authorization": f"Bearer {kiosk_token}", "Content-Type": "application/json"}

    def bare(index: int, n: int):
        return "GET", "/livez", None, {}

    def submission(index: int, n: int):
        body = {
            "survey_id": survey_id,
            "answers": {"nps": (index * 7 + n) % 11, "comment": COMMENTS[n % len(COMMENTS)]},
            "unit_code": codes[(index + n) % len(codes)],
            "channel": "kiosk",
        }
        return "POST", "/api/v1/responses", json.dumps(body), kiosk

    def me(index: int, n: int):
        return "GET", "/api/v1/me", None, auth

    def unchecked(index: int, n: int):
        body = {
            **floor,
            "answers": {"nps": (index * 7 + n) % 11, "comment": COMMENTS[n % len(COMMENTS)]},
        }
        return "POST", "/bench/floor", json.dumps(body), {"Content-Type": "application/json"}

    phases = {
        BARE: bare,
        "authenticated GET /api/v1/me": me,
        FLOOR: unchecked,
        SUBMIT: submission,
    }
    print(
        f"database: {vendor}; clients: {args.clients}; "
        f"{args.rounds} rounds of {args.seconds:g} s per phase"
    )
    load(port, 2, args.clients, bare)  # warm-up: workers forked, connections open
    load(port, 2, args.clients, me)
    seen: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in phases}
    ratios, floors = [], []
    for _ in range(args.rounds):
        rates = {}
        for name, request_for in phases.items():
            latencies, errors = load(port, args.seconds, args.clients, request_for)
            rates[name] = len(latencies) / args.seconds
            seen[name] = (seen[name][0] + latencies, seen[name][1] + errors)
        ratios.append(rates[SUBMIT] / rates[BARE])
        floors.append(rates[FLOOR] / rates[BARE])
    for name, (latencies, errors) in seen.items():
        report(name, latencies, errors, args.seconds * args.rounds)
    latencies = seen[SUBMIT][0]
    from voxloop.responses.models import Response

    stored = Response.objects.filter(survey_id=survey_id).count()
    ratio = statistics.median(ratios)
    verdict = "OK" if ratio >= GOAL_RATIO else "UNDER GOAL"
    print(f"responses stored: {stored} (accepted: {len(latencies)})")
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"ratio submissions/bare: {ratio:.2f} median of rounds [{rounds}]", end=" ")
    print(f"(goal ≥ {GOAL_RATIO}) {verdict}")
    rounds = ", ".join(f"{r:.2f}" for r in floors)
    print(f"ratio floor/bare: {statistics.median(floors):.2f} median of rounds [{rounds}]")
    own = statistics.median(r / f for r, f in zip(ratios, floors, strict=True))
    print(f"ratio submissions/floor: {own:.2f} (what validating and scoring leave of the floor)")
    if stored != len(latencies):
        raise SystemExit("accepted submissions and stored responses differ")


if __name__ == "__main__":
    main()
