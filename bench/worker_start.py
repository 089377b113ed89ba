"""Benchmark: an alert waiting for a worker that is just starting, against a warm worker.

Starts a private redis-server, a local aiosmtpd server and a scratch database with a detractor
rule, then per trial: stores a detractor response, enqueues its urgent jobs (a `ping` and the
real `closedloop.evaluate_responses`) *before* starting `voxloop worker` (the jobs wait in
Redis, as they do while `voxloop cluster up` or a supervisor starts workers), and times from
the spawn: the worker registered with RQ, its urgent lane listening, the ping done, the
evaluation done, the alert at the SMTP server. Then, the worker now warm and idle, the same
for a second response (timed from the enqueue): the baseline, measured in the same run.
Prints each figure, the ratio cold / warm, and the load average.

`--breakdown` also prints where a start's time goes, in a process of its own: Django's set-up
with the slowest imports (`python -X importtime`), and a cProfile of the first evaluation
against the second.

SQLite in a temporary folder, or PostgreSQL when DATABASE_URL is set (a scratch database,
BENCH_DATABASE names it). The worker runs from this checkout unless `--src` names another
`src` folder (the code before a change, checked out elsewhere: old and new in one sitting).

`--stream 3` then starts three workers at once while alerts keep arriving (one per 0.2 s for
10 s), as in the first seconds of `voxloop cluster up`: alerts slower than 2 s, p50, p99.

    nice -n 10 .venv/bin/python bench/worker_start.py [--trials 3] [--breakdown] [--src DIR]
        [--stream 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from aiosmtpd.controller import Controller

from bench.alert_latency import Inbox
from bench.common import (
    detractor_rule,
    published_visit_survey,
    scratch_database,
    start_django,
)
from bench.submit import free_port

MARKER = re.compile(r"bench-start-(\d+)")
STAGES = ("registered", "lane", "ping", "evaluated", "alert")


def start_redis(folder: str) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--dir", folder, "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            return server, port
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("worker_start: redis-server did not start")


def prepare() -> tuple[object, int]:
    """An organisation with a manager at one store, the Visit survey and a detractor rule."""
    from bench.common import stores_with_managers
    from voxloop.responses.signals import response_submitted
    from voxloop.tenancy import services as tenancy
    from voxloop.tenancy.scoping import Scope

    root = tenancy.create_organization(name="Bench Start", slug="bench-start")
    system = Scope.system(root)
    (store,) = stores_with_managers(system, root, 1)
    survey = published_visit_survey(system, root)
    detractor_rule(system, root, survey)
    # Only the jobs this bench enqueues: no hand-overs, counting or text analysis of its own.
    response_submitted.receivers.clear()
    response_submitted.sender_receivers_cache.clear()
    return survey, store


def detractor(survey, store, number: int) -> int:
    from voxloop.responses import services
    from voxloop.responses.services import Submission

    answers = {"nps": 2, "comment": f"Slow service. bench-start-{number}"}
    submission = Submission(survey=survey, answers=answers, unit=store)
    return services.submit(submission=submission).response.pk


def enqueue(organization_id: int, response_id: int) -> tuple[str, str]:
    """The urgent jobs of one response: a ping and its evaluation; their RQ job ids."""
    from voxloop.cli.tasks import ping
    from voxloop.closedloop.tasks import evaluate_responses, urgent

    pinged = urgent(ping).enqueue("worker_start")
    evaluated = urgent(evaluate_responses).enqueue(organization_id, [response_id])
    return pinged.id, evaluated.id


def ended(client, job_id: str) -> float | None:
    """When RQ recorded the job finished (epoch seconds), if it has."""
    status, at = client.hmget(f"rq:job:{job_id}", "status", "ended_at")
    if status != b"finished" or not at:
        return None
    return datetime.fromisoformat(at.decode().rstrip("Z")).replace(tzinfo=UTC).timestamp()


def worker_stages(client, pid: int) -> tuple[bool, bool]:
    """(main loop registered, urgent lane registered) for the worker process `pid`: a few
    plain Redis reads, so that watching takes little of the CPU the worker starts on."""
    main = lane = False
    for key in client.smembers("rq:workers"):
        found, queues = client.hmget(key, "pid", "queues")
        if found and int(found) == pid:
            if queues == b"urgent":
                lane = True
            else:
                main = True
    return main, lane


def watch(pid: int | None, jobs: tuple[str, str], marker: str, inbox: Inbox, t0: float,
          limit: float = 60) -> dict[str, float]:  # fmt: skip
    """Seconds from `t0` to each stage reached (the worker's stages only when `pid`)."""
    import django_rq

    client = django_rq.get_connection("urgent")
    seen: dict[str, float] = {}
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and len(seen) < (5 if pid else 3):
        now = time.time()
        if pid and not ("registered" in seen and "lane" in seen):
            main, lane = worker_stages(client, pid)
            if main:
                seen.setdefault("registered", now - t0)
            if lane:
                seen.setdefault("lane", now - t0)
        for stage, job in zip(("ping", "evaluated"), jobs, strict=True):
            if stage not in seen and (at := ended(client, job)) is not None:
                seen[stage] = at - t0
        if "alert" not in seen and marker in inbox.arrived:
            seen["alert"] = inbox.arrived[marker] - t0
        time.sleep(0.05)
    return seen


def spawn(env: dict, log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "voxloop.cli", "worker"], env=env,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGTERM)
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()


def trial(number: int, env: dict, survey, store, inbox: Inbox) -> tuple[dict, dict]:
    """One cold start and one warm enqueue; seconds to each stage of each."""
    org = store.organization_id
    response = detractor(survey, store, 2 * number)
    jobs = enqueue(org, response)
    t0 = time.time()
    log = Path(env["VOXLOOP_HOME"]) / f"worker{number}.log"
    worker = spawn(env, log)
    try:
        cold = watch(worker.pid, jobs, f"bench-start-{2 * number}", inbox, t0)
        time.sleep(3)  # idle: its clock's first round done, nothing queued
        response = detractor(survey, store, 2 * number + 1)
        t0 = time.time()
        jobs = enqueue(org, response)
        warm = watch(None, jobs, f"bench-start-{2 * number + 1}", inbox, t0)
    finally:
        stop(worker)
    if len(cold) < 5 or len(warm) < 3:
        print(f"trial {number}: missing stages (cold {cold}, warm {warm}); worker said:")
        print(log.read_text(errors="replace")[-3000:])
    return cold, warm


def stream(env: dict, survey, store, inbox: Inbox, workers: int, seconds: float = 10,
           every: float = 0.2) -> None:  # fmt: skip
    """`workers` workers started at once while alerts keep coming, one per `every` s for
    `seconds` from the spawn (the first seconds of `voxloop cluster up`); each alert's time
    from its enqueue to the SMTP server."""
    from bench.common import percentile
    from voxloop.closedloop.tasks import evaluate_responses, urgent

    home = Path(env["VOXLOOP_HOME"])
    sent: dict[str, float] = {}
    procs = [spawn(env, home / f"stream{n}.log") for n in range(workers)]
    t0 = time.time()
    try:
        while (n := len(sent)) * every < seconds:
            response = detractor(survey, store, 1000 + n)
            urgent(evaluate_responses).enqueue(store.organization_id, [response])
            sent[f"bench-start-{1000 + n}"] = time.time()
            time.sleep(max(0.0, t0 + (n + 1) * every - time.time()))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(m not in inbox.arrived for m in sent):
            time.sleep(0.1)
    finally:
        for proc in procs:
            stop(proc)
    took = sorted(inbox.arrived[m] - at for m, at in sent.items() if m in inbox.arrived)
    slow = sum(1 for t in took if t > 2.0)
    print(f"{workers} workers started with alerts arriving every {every} s for {seconds:g} s: "
          f"{len(took)} of {len(sent)} alerts, {slow} slower than 2 s; p50 "
          f"{percentile(took, 50):.2f} s, p99 {percentile(took, 99):.2f} s, max {took[-1]:.2f} s; "
          f"{load()}")  # fmt: skip


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(colds: list[dict], warms: list[dict]) -> None:
    def median(runs: list[dict], stage: str) -> float:
        values = [run[stage] for run in runs if stage in run]
        return statistics.median(values) if values else float("nan")

    print("cold start, seconds from the spawn (median of trials; each trial's figures):")
    for stage in STAGES:
        each = " ".join(f"{run.get(stage, float('nan')):5.2f}" for run in colds)
        print(f"  {stage:10} {median(colds, stage):6.2f}   [{each}]")
    print("warm worker, seconds from the enqueue:")
    for stage in ("ping", "evaluated", "alert"):
        each = " ".join(f"{run.get(stage, float('nan')):5.2f}" for run in warms)
        print(f"  {stage:10} {median(warms, stage):6.2f}   [{each}]")
    cold, warm = median(colds, "alert"), median(warms, "alert")
    print(f"ratio first alert cold / warm: {cold / warm:.1f}x "
          f"({cold:.2f} s against {warm:.2f} s); {load()}")  # fmt: skip


BREAKDOWN = r"""
import cProfile, io, os, pstats, sys, time
t = time.perf_counter()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "voxloop.config.settings")
import django
django.setup()
setup = time.perf_counter() - t
from voxloop.cli import base
t = time.perf_counter(); base.require_migrated(); migrated = time.perf_counter() - t
heavy = sorted(m for m in ("numpy", "scipy", "sklearn", "torch", "onnxruntime", "plotly",
               "openpyxl", "pandas") if m in sys.modules)
print(f"django.setup {setup:.2f} s; require_migrated {migrated:.2f} s; "
      f"{len(sys.modules)} modules, heavy ones loaded: {heavy or 'none'}")
try:
    from voxloop.cli.warmup import warm_up
except ImportError:
    print("no warm-up in this code")
else:
    print(f"warm-up {warm_up():.2f} s")
from voxloop.closedloop import evaluation
org, first, second = (int(x) for x in sys.argv[1:4])
profile = cProfile.Profile()
t = time.perf_counter()
profile.runcall(evaluation.evaluate_responses, organization_id=org, response_ids=[first])
cold = time.perf_counter() - t
t = time.perf_counter()
evaluation.evaluate_responses(organization_id=org, response_ids=[second])
print(f"first evaluation (with its alert) {cold:.3f} s, the second {time.perf_counter() - t:.3f} s")
out = io.StringIO()
pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(18)
print("\n".join(out.getvalue().splitlines()[6:32]))
"""


def breakdown(env: dict, survey, store) -> None:
    first, second = detractor(survey, store, 900), detractor(survey, store, 901)
    argv = [str(store.organization_id), str(first), str(second)]
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", BREAKDOWN, *argv],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    print(imports.stdout)
    rows = []
    for line in imports.stderr.splitlines():
        parts = line.split("|")
        if len(parts) == 3 and parts[1].strip().isdigit():
            rows.append((int(parts[1]), parts[2].rstrip()))
    print("slowest imports (cumulative ms, in the order Python reported them):")
    for micros, name in sorted(rows, reverse=True)[:12]:
        print(f"  {micros / 1000:7.0f}  {name.strip()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true")
    parser.add_argument("--src", help="Run the worker from this src folder (older code).")
    parser.add_argument(
        "--stream", type=int, default=0, metavar="WORKERS",
        help="Also start this many workers at once while alerts keep arriving.",
    )  # fmt: skip
    args = parser.parse_args()
    inbox = Inbox(MARKER)
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    folder = tempfile.mkdtemp(prefix="worker-start-")
    redis_server, redis_port = start_redis(folder)
    try:
        with scratch_database("vx_bench_worker_start") as env:
            env |= {"REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                    "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port),
                    "VOXLOOP_RQ_WORKER_CLASS": "rq.worker.SimpleWorker"}  # fmt: skip
            start_django(env, tasks="rq")
            survey, store = prepare()
            from django.db import connection

            vendor = connection.vendor
            env = {k: v for k, v in env.items() if k != "VOXLOOP_TASKS"}
            if args.src:
                env["PYTHONPATH"] = str(Path(args.src).resolve())
            print(f"database: {vendor}; worker from {args.src or 'this checkout'}; {load()}")
            if args.breakdown:
                breakdown(env, survey, store)
            colds, warms = [], []
            for number in range(args.trials):
                cold, warm = trial(number, env, survey, store, inbox)
                colds.append(cold)
                warms.append(warm)
                print(f"trial {number}: first alert {cold.get('alert', float('nan')):.2f} s "
                      f"cold, {warm.get('alert', float('nan')):.2f} s warm; {load()}")  # fmt: skip
            if colds:
                report(colds, warms)
            if args.stream:
                stream(env, survey, store, inbox, args.stream)
            connection.close()
    finally:
        redis_server.terminate()
        redis_server.wait()
        smtp.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
