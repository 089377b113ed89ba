"""Benchmark: invitation emails rendered and delivered to a local SMTP server through the real
task path, against plain smtplib sending the same pre-rendered messages over one connection.

Seeds an organisation with N contacts and a live NPS survey, launches an email campaign (no
throttle, no fatigue limits), and runs `voxloop worker --burst` in its own process on the
database queue: the start task creates the invitations and enqueues send batches, each batch
claims its invitations, checks the policy, renders the multipart email (NPS row, tracked links,
unsubscribe headers) and sends it over one SMTP connection, then records it as sent. The aiosmtpd
server runs in this process and counts messages. Then the baseline: the same N messages,
rendered beforehand, sent by smtplib over one connection from its own process. Prints emails/s
of both and their ratio; goal ≥ 300 emails/s on the task path.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database).

    .venv/bin/python bench/send.py [--invitations 20000]
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import threading
import time
from email.utils import parseaddr
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import email_campaign, scratch_database, send_without_fatigue_rules

GOAL = 300.0
BASELINE = r"""
import pickle, smtplib, sys, time
messages = pickle.load(open(sys.argv[1], "rb"))
with smtplib.SMTP(sys.argv[2], int(sys.argv[3])) as smtp:
    began = time.perf_counter()
    for sender, to, raw in messages:
        smtp.sendmail(sender, to, raw)
    print(time.perf_counter() - began)
"""


class Counter:
    """An SMTP handler that only counts, so the server is never the bottleneck we measure."""

    def __init__(self) -> None:
        self.count = 0
        self.first = self.last = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.count += 1
            self.last = time.perf_counter()
            self.first = self.first or self.last
        return "250 OK"


def start_django(env: dict) -> None:
    os.environ.update(env)
    os.environ.pop("VOXLOOP_TASKS", None)
    os.environ.pop("REDIS_URL", None)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "voxloop.config.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def seed(count: int):
    from voxloop.contacts import services as contacts
    from voxloop.contacts.models import Contact
    from voxloop.surveys import services as surveys
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Retail", slug="bench")
    system = Scope.system(root)
    stores = [
        tenancy.create_unit(
            actor=system, parent=root, name=f"Store {n}", kind="store", code=f"S{n:03}"
        )
        for n in range(20)
    ]
    locales = ["en", "zh-hans", "ja", "ro"]
    contacts.bulk_add_contacts(
        actor=system,
        contacts=(
            Contact(
                home_unit=stores[n % 20],
                external_id=f"C{n:07}",
                first_name=f"Pat{n}",
                email=f"pat{n}@bench.test",
                locale=locales[n % 4],
            )
            for n in range(count)
        ),
    )
    send_without_fatigue_rules(root.organization)
    survey = surveys.create_survey(
        actor=system,
        unit=root,
        name="Relationship",
        kind="relationship",
        default_locale="en",
        locales=["zh-hans", "ja", "ro"],
    )
    surveys.add_question(
        actor=system,
        survey=survey,
        key="nps",
        type="nps",
        texts={
            "title": {
                "en": "How likely are you to recommend {{unit}}?",
                "zh-hans": "您会推荐{{unit}}吗？",
                "ja": "{{unit}}を勧めますか？",
                "ro": "Ați recomanda {{unit}}?",
            }
        },
        config=None,
        required=True,
    )
    surveys.add_question(
        actor=system,
        survey=survey,
        key="comment",
        type="long_text",
        texts={"title": {"en": "Why?"}},
    )
    surveys.publish(actor=system, survey=survey)
    return system, root, survey


def startup_cpu(env: dict) -> float:
    """CPU seconds of one worker that starts and finds nothing to do (`--burst` on the empty
    queue): its start-up, which every measured worker pays once."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    argv = [sys.executable, "-m", "voxloop.cli", "worker", "--burst", "--no-clock"]
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def run_task_path(
    env: dict, system, root, survey, count: int, port: int, counter, workers: int = 1
):
    from django.db import transaction

    from voxloop.distribution import services

    campaign = email_campaign(actor=system, unit=root, survey=survey)
    with transaction.atomic():
        services.launch(
            actor=system, campaign=campaign
        )  # enqueues the start task on the database queue
    worker_env = dict(env, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
    worker_env.pop("VOXLOOP_TASKS", None)
    began = time.perf_counter()
    if workers <= 1:
        argv = [sys.executable, "-m", "voxloop.cli", "worker", "--burst", "--no-clock"]
        subprocess.run(
            argv, env=worker_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return counter.last - began, campaign
    # Several long-running workers, as a deployment scales out; stopped once all arrived.
    argv = [sys.executable, "-m", "voxloop.cli", "worker", "--no-clock"]
    running = [
        subprocess.Popen(argv, env=worker_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        last_progress, seen = time.perf_counter(), 0
        while counter.count < count and time.perf_counter() - last_progress < 30:
            time.sleep(0.2)
            if counter.count != seen:
                seen, last_progress = counter.count, time.perf_counter()
    finally:
        for process in running:
            process.terminate()
        for process in running:
            process.wait(timeout=30)
    return counter.last - began, campaign


def prerender(campaign) -> list[tuple[str, list[str], bytes]]:
    from voxloop.distribution.delivery.emails import build_message
    from voxloop.distribution.models import Invitation

    out = []
    invitations = Invitation.objects.filter(campaign=campaign).select_related(
        "contact__home_unit", "contact__account__owner", "survey", "campaign"
    )
    for invitation in invitations.iterator(chunk_size=2000):
        message = build_message(invitation)
        sender = parseaddr(message.from_email)[1]  # the envelope takes the bare address
        out.append((sender, message.to, message.message().as_bytes(linesep="\r\n")))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    args = parser.parse_args()
    from aiosmtpd.controller import Controller
    from tests.smtp import free_port

    load_before = os.getloadavg()[0]
    with scratch_database("bench_send") as env:
        start_django(env)
        counter = Counter()
        port = free_port()
        server = Controller(counter, hostname="127.0.0.1", port=port)
        server.start()
        try:
            system, root, survey = seed(args.invitations)
            idle_cpu = startup_cpu(dict(env, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port)))
            children = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, campaign = run_task_path(
                env, system, root, survey, args.invitations, port, counter, args.workers
            )
            from voxloop.distribution.models import Invitation

            spent = resource.getrusage(resource.RUSAGE_CHILDREN)
            # The workers' CPU seconds (their start-up and the start task's creating the
            # invitations included): what one fully used core would send, however loaded.
            worker_cpu = (spent.ru_utime + spent.ru_stime) - (children.ru_utime + children.ru_stime)
            sent = Invitation.objects.filter(campaign=campaign, status="sent").count()
            delivered = counter.count
            rate = delivered / seconds
            # Once sending: from the first message at the server to the last (the worker's
            # start-up and the start task's creating the invitations left out).
            sending_rate = (delivered - 1) / max(counter.last - counter.first, 1e-9)
            messages = prerender(campaign)
            with tempfile.NamedTemporaryFile(suffix=".pickle", delete=False) as spool:
                pickle.dump(messages, spool)
            counter.count = 0
            result = subprocess.run(
                [sys.executable, "-c", BASELINE, spool.name, "127.0.0.1", str(port)],
                capture_output=True,
                text=True,
            )
            if result.returncode:
                raise SystemExit(f"baseline failed: {result.stderr.strip()[-800:]}")
            os.unlink(spool.name)
            base_seconds = float(result.stdout.strip())
            base_rate = len(messages) / base_seconds
        finally:
            server.stop()
    database = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    from django.conf import settings

    lanes = settings.INVITATION_SEND_LANES if database == "PostgreSQL" else 1
    print(
        f"database: {database}; invitations: {args.invitations:,}; workers: {args.workers}; "
        f"lanes per batch: {lanes}; load average {load_before:.1f} → {os.getloadavg()[0]:.1f}"
    )
    print(
        f"task path: {delivered:,} delivered ({sent:,} recorded sent) in {seconds:.1f} s "
        f"= {rate:,.0f} emails/s (goal ≥ {GOAL:.0f}); "
        f"first to last delivery {sending_rate:,.0f} emails/s"
    )
    sending_cpu = max(worker_cpu - args.workers * idle_cpu, 1e-9)
    print(
        f"workers' CPU: {worker_cpu / delivered * 1000:.2f} ms per email = "
        f"{delivered / worker_cpu:,.0f} emails/s per fully used core; without each worker's "
        f"start-up ({idle_cpu:.1f} s, an idle worker's in the same run): "
        f"{sending_cpu / delivered * 1000:.2f} ms = {delivered / sending_cpu:,.0f} emails/s"
    )
    print(f"smtplib, pre-rendered, one connection: {base_rate:,.0f} emails/s")
    print(f"ratio task path / smtplib: {rate / base_rate:.2f}")


if __name__ == "__main__":
    main()
