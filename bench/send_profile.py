"""Where one worker's send time goes: send batches run in this process against an SMTP sink in
its own process, timed part by part (wall and CPU), optionally under cProfile.

Seeds the `bench/send.py` organisation and campaign, creates the invitations (the start task,
in-process), then calls `batches.deliver` batch by batch as the worker would, alternating
blocks of 500 between the `--lanes` settings and the `--builds` (prepared, decision 0063, or
Django's reference build). Prints emails/s and CPU milliseconds per message of each, and per
message: the hand-over statements, building the message, the SMTP conversation and the rest.
Baseline in the same run: a bare
synchronous-commit `UPDATE` of one row on the same database (what one hand-over must wait for).

    DATABASE_URL=postgres://… .venv/bin/python bench/send_profile.py [--invitations N] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import email_campaign, scratch_database, start_django

SINK = r"""
import sys, time
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
server = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
server.start()
print("ready", flush=True)
sys.stdin.read()
server.stop()
"""


class Timed:
    """Wall time spent in some functions of a module, summed per label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.undo: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original: Callable = getattr(owner, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began

        setattr(owner, name, timed)
        self.undo.append((owner, name, original))


def commit_floor(rounds: int = 300) -> float:
    """Seconds per synchronous one-row UPDATE, on Django's connection (the hand-over's cost)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_floor (id int PRIMARY KEY, at int)")
        cursor.execute("DELETE FROM bench_floor")
        cursor.execute("INSERT INTO bench_floor VALUES (1, 0)")
        began = time.perf_counter()
        for n in range(rounds):
            cursor.execute("UPDATE bench_floor SET at = %s WHERE id = 1", [n])
        return (time.perf_counter() - began) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invitations", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="also run under cProfile")
    parser.add_argument("--lanes", default="1,4", help="lanes settings to alternate (1,4)")
    parser.add_argument(
        "--builds",
        default="prepared",
        help="message builds to alternate: prepared (decision 0063), django (the reference)",
    )
    args = parser.parse_args()
    from tests.smtp import free_port

    port = free_port()
    sink = subprocess.Popen(
        [sys.executable, "-c", SINK, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert sink.stdout is not None and sink.stdout.readline().startswith(b"ready")
    try:
        with scratch_database("bench_send_profile") as env:
            env.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
            os.environ.update(EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port))
            start_django(env, tasks="database")
            lanes = [int(n) for n in args.lanes.split(",")]
            builds = args.builds.split(",")
            run(args.invitations, args.profile, [(n, b) for b in builds for n in lanes])
    finally:
        assert sink.stdin is not None
        sink.stdin.close()
        sink.wait(timeout=30)


def run(count: int, profile: bool, variants: list[tuple[int, str]]) -> None:
    from django.conf import settings
    from django.db import transaction

    from bench.send import seed
    from voxloop.distribution import services
    from voxloop.distribution.delivery import batches, emails, prepared, steps
    from voxloop.distribution.models import Invitation

    system, root, survey = seed(count)
    campaign = email_campaign(actor=system, unit=root, survey=survey)
    with transaction.atomic():
        services.launch(actor=system, campaign=campaign)
    services.materialize(campaign_id=campaign.pk)
    ids = list(
        Invitation.objects.filter(campaign=campaign).order_by("pk").values_list("pk", flat=True)
    )
    floor = commit_floor()
    # One batch first, untimed: URL resolvers, templates and translations load once a process.
    batches.deliver(ids[: batches.BATCH_SIZE])
    ids = ids[batches.BATCH_SIZE :]
    timed = Timed()
    timed.wrap(steps, "advance", "hand-over + record statements")
    timed.wrap(batches, "claim", "claim")
    timed.wrap(emails, "build_message", "building the message (Django)")
    timed.wrap(emails.InvitationEmail, "message", "MIME object")
    timed.wrap(prepared, "written", "prepared message (decision 0063)")
    from django.core.mail.backends.smtp import EmailBackend

    timed.wrap(EmailBackend, "send_messages", "SMTP conversation + MIME generation")
    profiler = cProfile.Profile() if profile else None
    if profiler:
        profiler.enable()
    # Settings alternate block by block (A B A B …), so a load change hits all of them alike.
    wall: dict[tuple, float] = defaultdict(float)
    cpu: dict[tuple, float] = defaultdict(float)
    done: dict[tuple, int] = defaultdict(int)
    block = 5 * batches.BATCH_SIZE
    for number, start in enumerate(range(0, len(ids), block)):
        chosen = variants[number % len(variants)]
        settings.INVITATION_SEND_LANES = chosen[0]
        settings.INVITATION_PREPARED_EMAILS = chosen[1] == "prepared"
        part = ids[start : start + block]
        began, began_cpu = time.perf_counter(), time.process_time()
        for first in range(0, len(part), batches.BATCH_SIZE):
            batches.deliver(part[first : first + batches.BATCH_SIZE])
        wall[chosen] += time.perf_counter() - began
        cpu[chosen] += time.process_time() - began_cpu
        done[chosen] += len(part)
    if profiler:
        profiler.disable()
    sent = Invitation.objects.filter(campaign=campaign, status="sent").count()
    load = os.getloadavg()
    print(f"{sent:,} of {count:,} recorded sent; load average {load[0]:.1f} {load[1]:.1f}")
    print(f"baseline, one synchronous one-row UPDATE: {floor * 1e3:.2f} ms")
    for chosen in variants:
        print(
            f"one worker in-process, {chosen[0]} lane(s), {chosen[1]} build:"
            f" {done[chosen] / wall[chosen]:,.0f} emails/s"
            f" wall, CPU {cpu[chosen] / done[chosen] * 1e3:.2f} ms/message ({done[chosen]:,})"
        )
    print("time in (summed over lanes' threads):")
    for label, seconds in sorted(timed.seconds.items(), key=lambda item: -item[1]):
        print(f"  {label:40} {seconds / len(ids) * 1e3:6.2f} ms/message (all variants)")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


if __name__ == "__main__":
    main()
