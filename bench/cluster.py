"""Benchmark: the multi-node topology under load, with parts failing on a fixed schedule.

Brings up `voxloop cluster` (HAProxy, two web nodes, three RQ workers, a Redis server of its
own, PostgreSQL through a cuttable TCP proxy, a scratch database) and a local aiosmtpd server,
then for `--seconds` (default 240; `--quick` 100):

- respondents submit through the balancer (the API, with an Idempotency-Key, retrying on a
  connection error, 502 or 503 with the same key), 5 % of them detractors with an alert rule;
- an email campaign (`--invitations`, default 20,000: the issue's 100,000 scaled to what the
  shared two-core machine sends within the run) goes out through the workers;
- a reader polls the NPS dashboard figure through the balancer.

On a fixed schedule (fractions of the run): web2 out of the pool for the first 10 % (one
node's throughput, measured in the same run), the campaign launched at 20 %, kill -9 of web1
(its whole process tree) at 25 %, kill -9 of a worker in the middle of a send batch at 33 %,
a Redis restart (SIGTERM; the append-only file keeps the queues) at 42 %, PostgreSQL cut at
the proxy (every connection reset, new ones refused; the machine's server is never touched)
for 5 % at 50 %, the SMTP server stopped for 12.5 % at 60 %, a flood of 6x the clients for
8 % at 80 %.

Afterwards, from the database and the SMTP server's log: every accepted response stored once,
every invitation delivered at most once and all delivered, every detractor alerted once, no
duplicate case, the dashboard's count equal to a recount. Prints throughput and latency per
phase, errors seen by clients, and recovery times after each fault.

    .venv/bin/python bench/cluster.py [--quick] [--seconds 240] [--invitations 20000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from aiosmtpd.controller import Controller  # noqa: E402

from bench import cpu_share  # noqa: E402
from bench.common import (  # noqa: E402
    detractor_rule,
    email_campaign,
    percentile,
    published_visit_survey,
    send_without_fatigue_rules,
    stores_with_managers,
)

PG_SERVER = "postgres://postgres@127.0.0.1:5432"
DATABASE = "vx_cluster_bench"
MARKER = re.compile(rb"bench-(\d+)-(\d+)")
RETRY_STATUSES = {502, 503, 504}
OUTAGE = RETRY_STATUSES | {0}  # 0: no answer at all (connection refused or reset)
KILLED: dict[str, Any] = {"batch": [], "claims": 0}  # the send job killed, its claims held


class Mailbox:
    """Every message the SMTP server accepted: recipients, Message-ID, marker; one JSON line
    each in a log. Accepts whatever arrives (plain, multipart, any encoding)."""

    def __init__(self, log: Path) -> None:
        self.log = log.open("a")
        self.lock = threading.Lock()
        self.invitations: Counter[str] = Counter()  # Message-ID → deliveries
        self.alerts: Counter[tuple[str, str]] = Counter()  # (marker, recipient) → deliveries
        self.alert_at: dict[str, float] = {}
        self.other = 0

    async def handle_DATA(self, server, session, envelope) -> str:
        at = time.time()
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw)
        texts = []
        for part in message.walk():
            if part.get_content_maintype() == "text":
                texts.append(part.get_payload(decode=True) or b"")
        found = MARKER.search(b"\n".join(texts))
        message_id = str(message.get("Message-ID", ""))
        with self.lock:
            for to in envelope.rcpt_tos:
                if to.startswith("pat"):
                    self.invitations[message_id] += 1
                elif found:
                    marker = found.group(0).decode()
                    self.alerts[(marker, to)] += 1
                    self.alert_at.setdefault(marker, at)
                else:
                    self.other += 1
            self.log.write(json.dumps({"at": at, "to": envelope.rcpt_tos, "id": message_id}))
            self.log.write("\n")
        return "250 OK"


class Smtp:
    def __init__(self, mailbox: Mailbox, port: int) -> None:
        self.mailbox, self.port = mailbox, port
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database() -> None:
    import psycopg

    global DATABASE
    DATABASE = os.environ.get("BENCH_DATABASE") or DATABASE  # several people on one server

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def seed(invitations: int, stores: int = 20) -> dict:
    """An organisation with a manager per store, a kiosk token, a detractor rule, contacts
    and an email campaign (not launched yet)."""
    from voxloop.accounts.services import create_token, create_user
    from voxloop.contacts import services as contacts
    from voxloop.contacts.models import Contact
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Retail", slug="bench")
    system = Scope.system(root)
    units = stores_with_managers(system, root, stores)
    kiosk = create_user(username="bench-kiosk", password=None)
    membership = tenancy.grant_membership(actor=system, user=kiosk, unit=root, role="manager")
    survey = published_visit_survey(system, root)
    detractor_rule(system, root, survey)
    contacts.bulk_add_contacts(
        actor=system,
        contacts=(
            Contact(
                home_unit=units[n % stores],
                external_id=f"C{n:07}",
                first_name=f"Pat{n}",
                email=f"pat{n}@bench.test",
            )
            for n in range(invitations)
        ),
    )
    send_without_fatigue_rules(root.organization)
    campaign = email_campaign(actor=system, unit=root, survey=survey)
    from voxloop.responses import kiosks

    _device, kiosk_secret = kiosks.register(actor=system, unit=root, name="Bench", channel="kiosk")
    return {
        "system": system,
        "campaign": campaign,
        "kiosk": kiosk_secret,
        "token": create_token(membership=membership, name="bench").secret,
        "survey_id": survey.pk,
        "codes": [u.code for u in units],
        "org_id": root.organization_id,
    }


class Load:
    """Clients through the balancer; every attempt and every final outcome recorded."""

    def __init__(self, port: int, data: dict) -> None:
        self.port, self.survey_id, self.codes = port, data["survey_id"], data["codes"]
        self.auth = {"Authorization": f"Bearer {data['token']}"}
        self.device = {
            "Authorization": f"Bearer {data['kiosk']}",
            "Content-Type": "application/json",
        }
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.attempts: list[tuple[float, float, int]] = []  # start, seconds, status (0: error)
        self.accepted: dict[str, tuple[int, int, float, float]] = {}  # key → id, nps, t0, s
        self.gave_up: list[str] = []
        self.reads: list[tuple[float, float, int]] = []

    def _request(self, method: str, path: str, body: str | None, headers: dict) -> tuple:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            reply = connection.getresponse()
            return reply.status, reply.read()
        except (OSError, http.client.HTTPException):
            return 0, b""
        finally:
            connection.close()

    def submitter(self, index: int, until: threading.Event) -> None:
        n = 0
        while not (self.stop.is_set() or until.is_set()):
            n += 1
            marker = f"bench-{index}-{n}"
            nps = n // 20 % 7 if n % 20 == 0 else 9 + n % 2  # 5 % detractors (0-6)
            body = json.dumps(
                {
                    "survey_id": self.survey_id,
                    "answers": {"nps": nps, "comment": f"Visit {marker}"},
                    "unit_code": self.codes[n % len(self.codes)],
                    "channel": "kiosk",
                }
            )
            headers = self.device | {"Idempotency-Key": marker}
            first = time.time()
            for attempt in range(40):
                began = time.time()
                status, data = self._request("POST", "/api/v1/responses", body, headers)
                with self.lock:
                    self.attempts.append((began, time.time() - began, status))
                if status in (200, 201):
                    with self.lock:
                        self.accepted[marker] = (
                            json.loads(data)["id"],
                            nps,
                            first,
                            time.time() - first,
                        )
                    break
                if status and status not in RETRY_STATUSES:
                    print(f"  submission {marker}: {status} {data[:200]!r}")
                    break
                time.sleep(min(0.1 * 2**attempt, 2.0))
            else:
                with self.lock:
                    self.gave_up.append(marker)

    def reader(self) -> None:
        while not self.stop.is_set():
            began = time.time()
            status, _ = self._request(
                "GET", "/api/v1/analytics/metrics?metric=nps", None, self.auth
            )
            with self.lock:
                self.reads.append((began, time.time() - began, status))
            time.sleep(0.5)


def cluster_cli(folder: Path, *args: str, env: dict | None = None) -> None:
    argv = [sys.executable, "-m", "voxloop.cli", "cluster", *args, "--dir", str(folder)]
    subprocess.run(argv, check=True, env=env)


def state(folder: Path) -> dict:
    return json.loads((folder / "cluster.json").read_text())


def haproxy(folder: Path, command: str) -> str:
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(folder / "haproxy.sock"))
        sock.sendall(command.encode() + b"\n")
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out.decode()


def server_up(folder: Path, name: str) -> bool:
    for line in haproxy(folder, "show stat").splitlines():
        parts = line.split(",")
        if len(parts) > 17 and parts[0] == "voxloop" and parts[1] == name:
            return parts[17] == "UP"
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 s, 3,000 invitations")
    parser.add_argument("--seconds", type=float)
    parser.add_argument("--invitations", type=int)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--drain", type=float, help="longest wait for the queue to empty (s)")
    parser.add_argument("--folder", default="var/cluster-bench")
    parser.add_argument("--port-base", type=int, default=18300)
    args = parser.parse_args()
    seconds = args.seconds or (100.0 if args.quick else 240.0)
    invitations = args.invitations or (3000 if args.quick else 20_000)
    folder = Path(args.folder).resolve()
    import shutil

    shutil.rmtree(folder / "redis", ignore_errors=True)  # the last run's queues: not ours
    folder.mkdir(parents=True, exist_ok=True)
    base = args.port_base
    lb_port, redis_port, proxy_port = base, base + 10, base + 11
    smtp_port = free_port()

    mailbox = Mailbox(folder / "smtp.log")
    smtp = Smtp(mailbox, smtp_port)
    smtp.start()
    fresh_database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("VOXLOOP_")}
    env.pop("DATABASE_URL", None)
    env |= {
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "VOXLOOP_API_RATE_LIMIT": f"{10**9}/60",
        "VOXLOOP_CLOCK_TICK_SECONDS": "2",
        "VOXLOOP_INVITATION_CLAIM_LEASE_SECONDS": "20",
        "VOXLOOP_INVITATION_RECOVER_SECONDS": "10",
        "VOXLOOP_TEXT_EMBEDDINGS": "false",
        "VOXLOOP_CLUSTER_DIR": str(folder),
    }
    print(f"cluster in {folder} (logs in {folder / 'logs'}); SMTP on port {smtp_port}")
    cluster_cli(
        folder,
        "up",
        "--detach",
        "--database",
        DATABASE,
        "--lb-port",
        str(lb_port),
        "--web-port",
        str(base + 1),
        "--redis-port",
        str(redis_port),
        "--pg-proxy-port",
        str(proxy_port),
        env=env,
    )
    try:
        run(args, folder, env, seconds, invitations, lb_port, redis_port, mailbox, smtp)
    finally:
        cluster_cli(folder, "down")
        smtp.stop()


def start_django(env: dict, redis_port: int) -> None:
    os.environ.update(env)
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DATABASE}"  # direct: the bench is never cut
    os.environ["REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
    os.environ["VOXLOOP_HOME"] = str(Path(env["VOXLOOP_CLUSTER_DIR"]) / "home")
    os.environ["DJANGO_SETTINGS_MODULE"] = "voxloop.config.settings"
    import django

    django.setup()


def run(args, folder, env, seconds, invitations, lb_port, redis_port, mailbox, smtp) -> None:
    start_django(env, redis_port)
    from django.db import transaction

    from voxloop.distribution import services as distribution

    began_seed = time.time()
    data = seed(invitations)
    print(f"seeded {invitations:,} contacts in {time.time() - began_seed:.0f} s")
    load = Load(lb_port, data)
    always = threading.Event()
    threads = [
        threading.Thread(target=load.submitter, args=(i, always), daemon=True)
        for i in range(args.clients)
    ]
    threads.append(threading.Thread(target=load.reader, daemon=True))
    queue_max = {"jobs": 0, "memory": 0}
    import redis

    watcher = redis.Redis(port=redis_port, socket_timeout=1)

    def watch() -> None:
        while not load.stop.is_set():
            try:
                queue_max["jobs"] = max(queue_max["jobs"], _queued(watcher))
                memory = watcher.info("memory")["used_memory"]
                queue_max["memory"] = max(queue_max["memory"], memory)
            except redis.RedisError:
                pass
            time.sleep(1)

    threads.append(threading.Thread(target=watch, daemon=True))
    faults: dict[str, float] = {}
    t0 = time.time()
    faults["start"] = t0
    haproxy(folder, "disable server voxloop/web2")
    for thread in threads:
        thread.start()
    cpu = {"start": (time.time(), cpu_share.snapshot())}

    shift = [0.0]  # how long the schedule waited for a send batch: later faults move with it

    def at(fraction: float) -> None:
        time.sleep(max(0.0, t0 + shift[0] + fraction * seconds - time.time()))

    at(0.10)
    haproxy(folder, "enable server voxloop/web2")
    faults["two nodes"] = time.time()
    cpu["two nodes"] = (time.time(), cpu_share.snapshot())
    at(0.20)
    cpu["campaign"] = (time.time(), cpu_share.snapshot())
    cores = _cores_used(folder, cpu)
    with transaction.atomic():
        distribution.launch(actor=data["system"], campaign=data["campaign"])
    faults["campaign launched"] = time.time()
    at(0.25)
    faults["kill -9 web1"] = time.time()
    from voxloop.cli.cluster import kill_tree

    kill_tree(state(folder)["processes"]["web1"]["pid"])
    at(0.33)
    # The schedule waits (at most a third of the run) until a worker is handing a send batch's
    # messages to the server, and kills that one: the case decision 0008's claims are for.
    waiting = time.time()
    victim, job, batch = _worker_sending(redis_port, limit=0.33 * seconds)
    shift[0] += max(0.0, time.time() - waiting - 1)
    sending = _sending_count()
    # Its batches in flight: on PostgreSQL a send job sends its ids in lanes, each a batch of
    # its own claim (decision 0052), each allowed one message of unknown fate.
    claims = _claims_of(batch)
    faults["kill -9 worker"] = time.time()
    kill_tree(victim or state(folder)["processes"]["worker1"]["pid"])
    KILLED["batch"], KILLED["claims"] = batch, claims
    print(
        f"  worker (pid {victim}) killed running {job or 'no send batch'} after waiting "
        f"{faults['kill -9 worker'] - waiting:.1f} s for one ({claims} batches of it in "
        f"flight); {sending} invitations claimed across the workers"
    )
    at(0.42)
    faults["restart Redis"] = time.time()
    os.kill(state(folder)["processes"]["redis"]["pid"], signal.SIGTERM)
    at(0.50)
    proxy = state(folder)["processes"]["pg-proxy"]["pid"]
    faults["cut PostgreSQL"] = time.time()
    os.kill(proxy, signal.SIGUSR1)
    at(0.55)
    os.kill(proxy, signal.SIGUSR2)
    faults["PostgreSQL back"] = time.time()
    at(0.60)
    faults["stop SMTP"] = time.time()
    smtp.stop()
    at(0.725)
    smtp.start()
    faults["SMTP back"] = time.time()
    at(0.80)
    faults["flood"] = time.time()
    flood_stop = threading.Event()
    flood = [
        threading.Thread(target=load.submitter, args=(100 + i, flood_stop), daemon=True)
        for i in range(args.clients * 5)
    ]
    for thread in flood:
        thread.start()
    at(0.88)
    flood_stop.set()
    faults["flood over"] = time.time()
    at(1.0)
    load.stop.set()
    ended = time.time()
    for thread in threads + flood:
        thread.join(timeout=60)
    drain_seconds = drain(
        data, load, mailbox, redis_port, limit=args.drain or (300 if not args.quick else 240)
    )
    report(
        args,
        seconds,
        invitations,
        t0,
        ended,
        faults,
        load,
        mailbox,
        data,
        queue_max,
        folder,
        drain_seconds,
        cores,
    )


def _cores_used(folder: Path, cpu: dict) -> dict[str, dict[str, float]]:
    """Cores each part of the cluster used with one web node and with two (before the
    campaign), to say what limits the scaling."""
    pids = {name: p["pid"] for name, p in state(folder)["processes"].items() if p.get("pid")}
    groups = {
        "web1": [pids.get("web1", 0)],
        "web2": [pids.get("web2", 0)],
        "workers": [pid for name, pid in pids.items() if name.startswith("worker")],
        "PostgreSQL": [],
        "Redis, HAProxy": [pids.get(n, 0) for n in ("redis", "lb")],
        "PostgreSQL proxy (bench only)": [pids.get("pg-proxy", 0)],
        "bench (clients, SMTP)": [os.getpid()],
    }
    spans = {"one web node": ("start", "two nodes"), "two web nodes": ("two nodes", "campaign")}
    return {
        phase: cpu_share.shares(cpu[a][1], cpu[b][1], cpu[b][0] - cpu[a][0], groups)
        for phase, (a, b) in spans.items()
    }


def _claims_of(batch: list[int]) -> int:
    from voxloop.distribution.models import Invitation

    held = Invitation.objects.filter(pk__in=batch, status="sending").exclude(claim="")
    return held.values("claim").distinct().count()


def _worker_sending(redis_port: int, limit: float) -> tuple[int | None, str, list[int]]:
    """The pid of a worker in the middle of a send batch — its job is a send batch and the
    batch's claim has handed messages over already — waiting up to `limit` seconds."""
    import redis
    from rq import Worker

    from voxloop.distribution.models import Invitation

    connection = redis.Redis(port=redis_port)
    deadline = time.time() + limit
    while time.time() < deadline:
        try:
            for worker in Worker.all(connection=connection):
                job = worker.get_current_job()
                if job is None or "send_invitations" not in (job.func_name or ""):
                    continue
                mid = Invitation.objects.filter(
                    pk__in=_batch_ids(job), status="sending", handed_at__isnull=False
                ).exists()
                if mid:
                    return worker.pid, f"{job.func_name} ({job.id})", _batch_ids(job)
        except Exception as error:  # a job's payload we cannot read: look again
            print(f"  (looking for a send batch: {error})")
        time.sleep(0.1)
    return None, "", []


def _batch_ids(job) -> list[int]:
    """The invitation ids of a send batch's RQ job (its first argument)."""
    args = list(job.args or [])
    return [int(pk) for pk in args[0]] if args and isinstance(args[0], list) else []


def _sending_count() -> int:
    from voxloop.distribution.models import Invitation

    return Invitation.objects.filter(status="sending").count()


def _queued(connection) -> int:
    """Jobs waiting in both RQ queues: alerts' (decision 0054) and everything else's."""
    return sum(connection.llen(f"rq:queue:{name}") for name in ("urgent", "default"))


def drain(data: dict, load: Load, mailbox: Mailbox, redis_port: int, limit: float) -> float:
    """Wait until every invitation has a final state, every alert arrived and the queue is
    empty (or the limit)."""
    import redis

    from voxloop.distribution.models import Invitation

    began = time.time()
    queue = redis.Redis(port=redis_port)
    detractors = {m for m, (_, nps, _, _) in load.accepted.items() if nps <= 6}
    while time.time() - began < limit:
        open_rows = Invitation.objects.filter(
            campaign=data["campaign"], status__in=["queued", "sending"]
        ).count()
        total = Invitation.objects.filter(campaign=data["campaign"]).count()
        alerted = detractors <= set(mailbox.alert_at)
        if total and not open_rows and alerted and not _queued(queue):
            break
        time.sleep(2)
    return time.time() - began


def phase_figures(load: Load, start: float, end: float) -> tuple[float, float, float, int]:
    done = [s for _, _, t0, s in load.accepted.values() if start <= t0 + s < end]
    ok = [d for b, d, status in load.attempts if start <= b < end and status in (200, 201)]
    errors = sum(
        1 for b, _, status in load.attempts if start <= b < end and status not in (200, 201)
    )
    rate = len(done) / max(end - start, 1e-9)
    p50 = percentile(ok, 50) if len(ok) > 2 else float("nan")
    p95 = percentile(ok, 95) if len(ok) > 2 else float("nan")
    return rate, p50, p95, errors


def report(
    args,
    seconds,
    invitations,
    t0,
    ended,
    faults,
    load,
    mailbox,
    data,
    queue_max,
    folder,
    drain_seconds,
    cores,
) -> None:
    from django.db.models import Count

    from voxloop.closedloop.models import Case
    from voxloop.distribution.models import Invitation
    from voxloop.responses.models import Response

    print(
        f"\n== run: {seconds:.0f} s, {args.clients} clients (x6 during the flood), "
        f"{invitations:,} invitations; drained in {drain_seconds:.0f} s"
    )
    print("phase                    subs/s   p50 ms   p95 ms  client errors")
    edges = [
        ("one web node", t0 + 2, faults["two nodes"]),
        ("two web nodes", faults["two nodes"] + 2, faults["campaign launched"]),
        ("+ campaign", faults["campaign launched"], faults["kill -9 web1"]),
        ("faults (25-80 %)", faults["kill -9 web1"], faults["flood"]),
        ("flood (x6 clients)", faults["flood"], faults["flood over"]),
        ("after flood", faults["flood over"], ended),
        ("whole run", t0, ended),
    ]
    rates = {}
    for name, start, end in edges:
        rate, p50, p95, errors = phase_figures(load, start, end)
        rates[name] = rate
        print(f"{name:22} {rate:8.1f} {p50 * 1000:8.0f} {p95 * 1000:8.0f} {errors:10}")
    print(f"two nodes / one node: {rates['two web nodes'] / max(rates['one web node'], 1e-9):.2f}")
    for phase, used in cores.items():
        parts = ", ".join(f"{k} {v:.2f}" for k, v in used.items() if k != "machine")
        print(f"  cores used, {phase}: {parts}")
        # What one submission costs each part, all its work included (counting, text analysis,
        # alerts): the sizing table in docs/operations.md is derived from these.
        ms = {k: 1000 * v / max(rates[phase], 1e-9) for k, v in used.items()}
        outside = ("others", "machine", "bench (clients, SMTP)", "PostgreSQL proxy (bench only)")
        mine = [k for k in ms if k not in outside]
        costs = ", ".join(f"{k} {ms[k]:.1f}" for k in mine)
        print(f"  CPU ms per submission, {phase}: {costs}; cluster {sum(ms[k] for k in mine):.1f}")
    print(f"  what limits two nodes: {cpu_share.verdict(cores['two web nodes'], ['web1', 'web2'])}")
    statuses = Counter(status for _, _, status in load.attempts)
    print(f"attempts by status: {dict(sorted(statuses.items()))} (0 = connection error)")
    print(f"submissions given up after 40 attempts: {len(load.gave_up)}")
    reads = [d for _, d, s in load.reads if s == 200]
    read_errors = sum(1 for _, _, s in load.reads if s != 200)
    if len(reads) > 2:
        print(
            f"dashboard reads: {len(reads)} ok, {read_errors} failed; "
            f"p50 {percentile(reads, 50) * 1000:.0f} ms, p95 {percentile(reads, 95) * 1000:.0f} ms"
        )
    print(
        f"queue high-water mark: {queue_max['jobs']:,} jobs; Redis memory "
        f"{queue_max['memory'] / 2**20:.1f} MB at most"
    )

    print("\n== recovery (client view: last failed attempt after the fault)")
    begun = ("kill -9 web1", "kill -9 worker", "restart Redis", "cut PostgreSQL", "stop SMTP")
    starts = [faults[n] for n in (*begun, "flood")]
    for name in ("kill -9 web1", "restart Redis", "cut PostgreSQL", "flood"):
        start = faults[name]
        window = start + 15 if name != "cut PostgreSQL" else faults["PostgreSQL back"] + 15
        # Up to the next fault at most: with --quick they are 8 s apart, and a Redis window of
        # 15 s counted the PostgreSQL cut's failures as Redis's (runs K-P: "8-11 s").
        window = min([window, *(t for t in starts if t > start)])
        # Answered before the window closed: an attempt in flight as the next fault began
        # fails of that fault.
        failed = [b for b, d, s in load.attempts if start <= b and b + d < window and s in OUTAGE]
        last = max(failed) - start if failed else 0.0
        extra = ""
        if name == "cut PostgreSQL":
            extra = f" (cut for {faults['PostgreSQL back'] - start:.1f} s)"
        print(f"{name:16} {len(failed):5} failed attempts, last {last:5.1f} s after{extra}")
    restarts = {n: p["restarts"] for n, p in state(folder)["processes"].items() if p["restarts"]}
    print(f"processes restarted by the supervisor: {restarts}")

    print("\n== checks")
    ok = True
    accepted_ids = [i for i, _, _, _ in load.accepted.values()]
    stored = Response.objects.filter(organization_id=data["org_id"])
    dupes = stored.values("source_key").annotate(c=Count("id")).filter(c__gt=1).count()
    found = stored.filter(pk__in=accepted_ids).count()
    total = stored.count()
    line = (
        f"responses: {len(accepted_ids):,} accepted, {found:,} of them stored, {total:,} "
        f"stored in all, {dupes} stored twice"
    )
    ok &= _verdict(line, found == len(accepted_ids) and dupes == 0 and total >= found)
    if total > found:
        print(f"  ({total - found} stored whose answer never reached the client: it gave up)")
    rows = Invitation.objects.filter(campaign=data["campaign"])
    by_status = dict(rows.values_list("status").annotate(c=Count("id")).values_list("status", "c"))
    sent_ids = set(rows.filter(status="sent").values_list("message_id", flat=True))
    delivered = mailbox.invitations
    twice = sum(1 for c in delivered.values() if c > 1)
    missing = len(sent_ids - set(delivered))
    failed_ids = [f"<{ref}@" for ref in rows.filter(status="failed").values_list("ref", flat=True)]
    failed_delivered = sum(
        1 for prefix in failed_ids if any(m.startswith(prefix) for m in delivered)
    )
    line = (
        f"invitations: {by_status}; {len(delivered):,} delivered, {twice} twice, "
        f"{missing} recorded sent but never delivered"
    )
    ok &= _verdict(line, twice == 0 and missing == 0)
    # At most once (decision 0008): the message a killed worker was handing over is failed,
    # never resent, whether or not the server took it — at most one per batch it had in
    # flight (decision 0052); everything else must arrive.
    lost = len(failed_ids) - failed_delivered
    in_flight = max(1, KILLED["claims"])
    line = (
        f"  all delivered: {len(delivered):,} of {rows.count():,}; failed as uncertain: "
        f"{len(failed_ids)} ({failed_delivered} of them did reach the server; at most "
        f"{in_flight}, one per batch the killed worker had in flight)"
    )
    ok &= _verdict(line, len(delivered) + lost == rows.count() and len(failed_ids) <= in_flight)
    if KILLED["batch"]:
        batch = rows.filter(pk__in=KILLED["batch"])
        refs = {f"<{ref}@": status for ref, status in batch.values_list("ref", "status")}
        arrived = Counter(
            prefix
            for prefix in refs
            for m, c in delivered.items()
            if m.startswith(prefix)
            for _ in range(c)
        )
        line = (
            f"  the batch killed mid-send: {len(refs)} invitations, "
            f"{sum(1 for p in refs if arrived[p] == 1)} delivered once, "
            f"{sum(1 for p in refs if arrived[p] > 1)} twice, "
            f"{sum(1 for p, st in refs.items() if not arrived[p] and st != 'failed')} never "
            f"(not failed), {sum(1 for st in refs.values() if st == 'failed')} failed as uncertain"
        )
        ok &= _verdict(
            line,
            all(arrived[p] <= 1 for p in refs)
            and all(arrived[p] == 1 or st == "failed" for p, st in refs.items()),
        )
    else:
        print("  (no worker was caught inside a send batch: the kill hit an idle one)")
    detractor_markers = {m for m, (_, nps, _, _) in load.accepted.items() if nps <= 6}
    alert_counts = Counter()
    for (marker, _to), count in mailbox.alerts.items():
        alert_counts[marker] += count
    once = sum(1 for m in detractor_markers if alert_counts.get(m) == 1)
    twice_alerts = sum(1 for m in detractor_markers if alert_counts.get(m, 0) > 1)
    line = (
        f"alerts: {len(detractor_markers)} detractors, {once} alerted exactly once, "
        f"{twice_alerts} more than once, {len(detractor_markers) - once - twice_alerts} never"
    )
    ok &= _verdict(line, once == len(detractor_markers))
    case_dupes = (
        Case.objects.values("response_id", "rule_id").annotate(c=Count("id")).filter(c__gt=1)
    )
    cases = Case.objects.filter(organization_id=data["org_id"]).count()
    line = (
        f"cases: {cases} (one per detractor response: {len(detractor_markers)}), "
        f"{case_dupes.count()} duplicated"
    )
    ok &= _verdict(line, case_dupes.count() == 0)
    latencies = []
    submitted = dict(stored.filter(pk__in=accepted_ids).values_list("pk", "submitted_at"))
    for marker in detractor_markers:
        arrived = mailbox.alert_at.get(marker)
        pk = load.accepted[marker][0]
        if arrived and pk in submitted:
            latencies.append(arrived - submitted[pk].timestamp())
    if len(latencies) > 2:
        print(
            f"  alert latency p50 {percentile(latencies, 50):.2f} s, "
            f"p99 {percentile(latencies, 99):.2f} s (faults included)"
        )
    from bench import alert_tail

    alert_tail.report(
        {m: load.accepted[m][0] for m in detractor_markers}, mailbox.alert_at, faults, ended
    )
    ok &= _dashboard_caught_up(load, stored.filter(is_complete=True).exclude(nps=None).count())
    print("\nALL CHECKS PASSED" if ok else "\nSOME CHECKS FAILED")


def _dashboard_caught_up(load: Load, recount: int, limit: float = 90.0) -> bool:
    """The dashboard's NPS base equal to the recount, and how long after the run it took:
    responses whose counting a fault interrupted are the sweep's (decision 0062)."""
    began, shown = time.time(), {}
    while time.time() - began < limit:
        path = "/api/v1/analytics/metrics?metric=nps"
        status, body = load._request("GET", path, None, load.auth)
        shown = json.loads(body)["total"] if status == 200 else {}
        if shown.get("n") == recount:
            break
        time.sleep(1)
    line = (
        f"dashboard NPS base: {shown.get('n')} shown, {recount} recounted "
        f"(after {time.time() - began:.0f} s of the limit's {limit:.0f})"
    )
    return _verdict(line, shown.get("n") == recount)


def _verdict(line: str, good: bool) -> bool:
    print(("ok   " if good else "FAIL ") + line)
    return good


if __name__ == "__main__":
    main()
