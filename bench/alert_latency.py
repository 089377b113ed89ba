"""Benchmark: from a detractor's response being stored to the alert email at the SMTP server.

Starts a local aiosmtpd server and `voxloop serve` on loopback (gunicorn + its task worker,
as in production, EMAIL_HOST/EMAIL_PORT pointing at the SMTP server), sets up an organisation
with a manager per store and a detractor rule, then submits detractor responses over HTTP
through the API at a steady pace from a few clients. Each alert is matched to its response by
a marker in the comment; latency = the email's arrival at the SMTP server minus the response's
stored `submitted_at` (one machine, one clock). Prints p50/p99 (goal p99 ≤ 2 s) and, as the
baseline measured in the same run, the time `smtplib` takes to hand one pre-rendered message
to the same server, with the ratio of the alert p50 to it.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/alert_latency.py [--alerts 200] [--clients 4] [--interval 0.2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import smtplib
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aiosmtpd.controller import Controller

from bench.common import (
    detractor_rule,
    percentile,
    published_visit_survey,
    scratch_database,
    start_django,
    stores_with_managers,
)
from bench.submit import free_port, start_server

GOAL_P99_SECONDS = 2.0
MARKER = re.compile(r"bench-alert-(\d+)-(\d+)")


class Inbox:
    """What the SMTP server received: arrival time per marker found in the message."""

    def __init__(self, marker: re.Pattern[str] | None = None) -> None:
        self.marker = marker or MARKER
        self.arrived: dict[str, float] = {}
        self.other = 0
        self.other_subjects: Counter[str] = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        at = time.time()
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        # Every text part (alerts are multipart/alternative): accept all mail, count markers.
        texts = [
            part.get_content() for part in message.walk() if part.get_content_maintype() == "text"
        ]
        found = self.marker.search("\n".join(texts))
        with self.lock:
            if found:
                self.arrived.setdefault(found.group(0), at)
            else:
                self.other += 1
                self.other_subjects[str(message["Subject"])[:60]] += 1
        return "250 OK"


def prepare(stores: int = 20) -> tuple[str, int, list[str]]:
    """An organisation with a manager at each store, a survey, a detractor rule, a kiosk's
    token."""
    from voxloop.responses import kiosks
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Retail", slug="bench")
    system = Scope.system(root)
    codes = [store.code for store in stores_with_managers(system, root, stores)]
    survey = published_visit_survey(system, root)
    detractor_rule(system, root, survey)
    # A registered kiosk posts as channel "kiosk" (a person's token may only claim "api").
    _kiosk, secret = kiosks.register(actor=system, unit=root, name="bench", channel="kiosk")
    return secret, survey.pk, codes


def submit_all(port, token, survey_id, codes, alerts, clients, interval) -> dict[str, int]:
    """Submit `alerts` detractor responses; marker → response id."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    ids: dict[str, int] = {}
    rejected: dict[int, str] = {}  # status → the first answer's body
    lock = threading.Lock()
    per_client = alerts // clients

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(per_client):
            marker = f"bench-alert-{index}-{n}"
            body = {
                "survey_id": survey_id,
                "answers": {"nps": n % 7, "comment": f"Not good. {marker}"},
                "unit_code": codes[(index * per_client + n) % len(codes)],
                "channel": "kiosk",
            }
            connection.request("POST", "/api/v1/responses", json.dumps(body), auth)
            reply = connection.getresponse()
            data = reply.read()
            with lock:
                if reply.status == 201:
                    ids[marker] = json.loads(data)["id"]
                else:
                    rejected.setdefault(reply.status, data[:300].decode(errors="replace"))
            time.sleep(interval)
        connection.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for status, body in rejected.items():
        print(f"submissions answered {status} (not stored): {body}")
    return ids


def smtplib_baseline(host: str, port: int, inbox: Inbox, count: int = 50) -> list[float]:
    """Seconds from starting to send one pre-rendered message to its arrival at the server."""
    timings = []
    for n in range(count):
        message = EmailMessage()
        message["From"], message["To"] = "bench@bench.test", "manager-0@bench.test"
        message["Subject"] = "baseline"
        message.set_content(f"baseline bench-alert-9999-{n}")
        start = time.time()
        with smtplib.SMTP(host, port) as smtp:  # a new connection, as each alert email makes
            smtp.send_message(message)
        timings.append(inbox.arrived[f"bench-alert-9999-{n}"] - start)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alerts", type=int, default=200)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--interval", type=float, default=0.2, help="Pause per client (s).")
    parser.add_argument(
        "--task-workers", type=int, default=1, help="`voxloop serve --task-workers` (1)."
    )
    args = parser.parse_args()
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    with scratch_database("vx_bench_alerts") as env:
        start_django(env)
        from django.db import connection

        token, survey_id, codes = prepare()
        vendor = connection.vendor
        connection.close()
        env = {k: v for k, v in env.items() if k != "VOXLOOP_TASKS"}
        # One token sends every request: the per-token limit is counted, never reached.
        env["VOXLOOP_API_RATE_LIMIT"] = f"{10**9}/60"
        env |= {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port)}
        port = free_port()
        server = start_server(env, port, None, task_workers=args.task_workers)
        try:
            run(args, port, token, survey_id, codes, vendor, inbox, smtp_port)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
            smtp.stop()


def settle(limit: float = 60) -> None:
    """Wait (bounded) until the worker has run the clock's first round of periodic jobs (the
    weekly digests take seconds): the figure is the steady path, not the start-up."""
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        jobs = DBTaskResult.objects.all()
        if jobs.exists() and not jobs.filter(status__in=["READY", "RUNNING"]).exists():
            return
        time.sleep(0.2)


def worker_report() -> None:
    """What the server's task worker spent its time on during the run, and how long the
    alert evaluations waited in the queue."""
    from django_tasks_db.models import DBTaskResult

    work: dict[str, list[float]] = {}
    waits: list[float] = []
    for path, enqueued, started, finished in DBTaskResult.objects.filter(
        finished_at__isnull=False
    ).values_list("task_path", "enqueued_at", "started_at", "finished_at"):
        entry = work.setdefault(path.rsplit(".", 2)[-2] + "." + path.rsplit(".", 1)[-1], [])
        entry.append((finished - started).total_seconds())
        if "evaluate_response" in path:
            waits.append((started - enqueued).total_seconds())
    top = sorted(work.items(), key=lambda kv: -sum(kv[1]))[:4]
    print("worker time: " + "; ".join(f"{name} {len(t)} jobs {sum(t):.1f} s" for name, t in top))
    if len(waits) > 1:
        print(f"alert jobs' wait in the queue: p50 {percentile(waits, 50) * 1000:.0f} ms, "
              f"max {max(waits) * 1000:.0f} ms")  # fmt: skip


def run(args, port, token, survey_id, codes, vendor, inbox: Inbox, smtp_port: int) -> None:
    from voxloop.responses.models import Response

    print(f"database: {vendor}; {args.alerts} detractors from {args.clients} clients, "
          f"one per {args.interval:.2f} s per client; {args.task_workers} task worker(s); "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    settle()
    ids = submit_all(port, token, survey_id, codes, args.alerts, args.clients, args.interval)
    deadline = time.monotonic() + 30
    while len(inbox.arrived) < len(ids) and time.monotonic() < deadline:
        time.sleep(0.1)
    stored = dict(Response.objects.filter(pk__in=ids.values()).values_list("pk", "submitted_at"))
    latencies = [
        inbox.arrived[marker] - stored[pk].timestamp()
        for marker, pk in ids.items()
        if marker in inbox.arrived
    ]
    missing = len(ids) - len(latencies)
    if len(latencies) < 2:
        raise SystemExit(
            f"alert_latency: only {len(latencies)} of {len(ids)} alerts reached the SMTP server "
            f"within 30 s on {vendor}: too few to measure a percentile; check that the "
            "server's task worker runs and its mail settings reach 127.0.0.1"
        )
    worker_report()
    baseline = smtplib_baseline("127.0.0.1", smtp_port, inbox)
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    base50 = percentile(baseline, 50)
    print(f"alerts delivered: {len(latencies)} of {len(ids)} responses (missing {missing}); "
          f"the server took {len(inbox.arrived)} marked emails, {inbox.other} others")  # fmt: skip
    if inbox.other:
        print(f"  the others, by subject: {dict(inbox.other_subjects.most_common(3))}")
    print(f"response stored → alert at SMTP   p50 {p50 * 1000:7.0f} ms   p99 {p99 * 1000:7.0f} ms"
          f"   max {max(latencies) * 1000:7.0f} ms")  # fmt: skip
    print(f"baseline smtplib, one message     p50 {base50 * 1000:7.1f} ms   "
          f"p99 {percentile(baseline, 99) * 1000:7.1f} ms")  # fmt: skip
    verdict = "OK" if p99 <= GOAL_P99_SECONDS and not missing else "UNDER GOAL"
    print(f"ratio alert p50 / smtplib p50: {p50 / base50:.0f}x; "
          f"p99 {p99:.2f} s (goal ≤ {GOAL_P99_SECONDS:.0f} s) {verdict}")  # fmt: skip
    if missing:
        raise SystemExit(f"{missing} alerts never arrived")


if __name__ == "__main__":
    main()
