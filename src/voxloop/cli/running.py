"""Commands that run Voxloop: serve, worker, check, and Django's own management commands."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Callable

import click

from voxloop.cli import base
from voxloop.cli.base import fail
from voxloop.cli.supervisor import Child, Supervisor


def _default_workers() -> int:
    import os

    return min(4, (os.cpu_count() or 1) + 1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", type=click.IntRange(1, 64), help="Web worker processes.")
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1, 64))
@click.option("--no-migrate", is_flag=True, help="Do not apply database migrations first.")
@click.option("--no-worker", is_flag=True, help="Web server only (run workers elsewhere).")
@click.option(
    "--task-workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Task worker processes (two send invitations about half as fast again as one).",
)
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    no_migrate: bool,
    no_worker: bool,
    task_workers: int,
) -> int:
    """Run the web server and the task worker together."""
    _require_free_port(host, port)
    base.django_ready()
    if no_migrate:
        base.require_migrated()
    else:
        base.prepare_database()
    from django.db import connections

    connections.close_all()  # the children open their own connections
    web = Child("web server", _gunicorn_argv(host, port, workers or _default_workers(), threads))
    children = [web]
    if not no_worker:
        worker_argv = [sys.executable, "-m", "voxloop.cli", "worker"]
        for number in range(1, task_workers + 1):
            name = "task worker" if task_workers == 1 else f"task worker {number}"
            children.append(Child(name, worker_argv))
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Voxloop at http://{shown}:{port}/  (Ctrl-C to stop)", err=True)
    return Supervisor(children).run()


def _require_free_port(host: str, port: int) -> None:
    """Say so in one line, rather than through gunicorn's retry log, when the port is taken."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            fail(f"cannot listen on {host}:{port} ({error.strerror}); choose another --port")


def _gunicorn_argv(host: str, port: int, workers: int, threads: int) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "voxloop.config.wsgi:application",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        "15",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        # One shared default socket path would make two servers on one host fight over it.
        "--no-control-socket",
    ]


@click.command()
@click.option(
    "--queue",
    "queues",
    multiple=True,
    help="Queue to work on (default: all); urgent, if listed, first.",
)
@click.option("--burst", is_flag=True, help="Run what is queued now, then exit.")
@click.option("--no-clock", is_flag=True, help="Do not enqueue periodic tasks from this worker.")
def worker(queues: tuple[str, ...], burst: bool, no_clock: bool) -> None:
    """Run background and periodic tasks (database queue, or RQ).

    Uses RQ on Redis when REDIS_URL is set, else the database queue.
    """
    base.django_ready()
    from django.conf import settings
    from django.core.management import call_command

    from voxloop.cli import warmup
    from voxloop.schedule import clock

    base.require_migrated()
    on_rq = bool(settings.REDIS_URL) and "django_rq" in settings.INSTALLED_APPS
    if on_rq:
        # Ready before it registers: jobs wait in Redis for a warm worker rather than in a
        # cold one that took them (decision 0064).
        warmup.warm_up()
    if not (burst or no_clock):
        clock.start(settings.CLOCK_TICK_SECONDS)
    if on_rq:
        from django.db import close_old_connections
        from django_tasks.signals import task_finished, task_started

        # What Django does around each request, around each job: a connection the database
        # dropped (a restart, a cut network) is replaced before the next job. Without it a
        # worker failed every job after PostgreSQL came back (bench/cluster.py, 2026-12-07).
        task_started.connect(close_old_connections, dispatch_uid="voxloop.worker.db_before")
        task_finished.connect(close_old_connections, dispatch_uid="voxloop.worker.db_after")
        names = rq_queue_names(queues)
        if not burst:
            _start_scheduler_standby(names, settings.CLOCK_TICK_SECONDS)
            if _wants_lane(names):
                _start_lane_and_wait(LANE_READY_SECONDS)
        # The scheduler moves tasks enqueued with run_after (delayed invitations, retries).
        _rq_until_stopped(
            lambda: call_command(
                "rqworker",
                *names,
                job_class="django_tasks_rq.Job",
                burst=burst,
                with_scheduler=not burst,
                worker_class=settings.RQ_WORKER_CLASS or None,
            ),
            burst=burst,
        )
        return
    # A short poll: an alert is a task, and it should leave within a second of the response.
    options: dict = {"startup_delay": False, "interval": settings.WORKER_POLL_SECONDS}
    if queues:
        options["queue_name"] = ",".join(queues)
    else:
        options["queue_name"] = "*"
    if burst:
        options["batch"] = True
    call_command("db_worker", **options)


def _rq_until_stopped(run: Callable[[], object], burst: bool) -> None:
    """Run RQ's worker until it is stopped. `rqworker` exits with status 1 when Redis goes
    away (a restart); the supervisor then started the process again, cold (imports, first
    connections: 2–6 s) and two or three times while Redis loaded its data, its urgent lane
    going with it: alerts waited up to 18 s after a Redis restart (bench/cluster.py, decision
    0060). So the process waits for Redis and runs the worker again; an orderly stop (SIGTERM,
    SIGINT) returns from `run` and ends it, as does any failure not Redis's."""
    from redis.exceptions import RedisError

    while True:
        try:
            run()
            return
        except SystemExit as stopped:  # rqworker's answer to a ConnectionError
            if burst or stopped.code != 1:
                raise
        except RedisError:  # a timeout escapes it as itself
            if burst:
                raise
        _default_stop_signals()
        _wait_for_redis()


def _default_stop_signals() -> None:
    """RQ's handlers stay installed after its worker returned; between two runs a SIGTERM
    must simply end the process (nothing is in flight)."""
    import signal

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _wait_for_redis(pause: float = 1.0) -> None:
    import logging

    import django_rq

    log = logging.getLogger("voxloop.worker")
    for attempt in itertools.count():
        try:
            django_rq.get_connection().ping()
            log.warning("worker: Redis answers again; taking jobs")
            return
        except Exception as error:
            if attempt % 30 == 0:
                log.warning("worker: waiting for Redis (%s)", error)
        time.sleep(pause)


# --- the urgent lane (decision 0057) ----------------------------------------------------
# Taking urgent work first is not enough: a worker already running a send batch (10+ s)
# makes the alert wait for it, and on a busy cluster every worker can be. So each RQ worker
# process also runs one thread that takes only urgent work. Not on the database queue: there
# one process (`voxloop serve`) runs everything, and a second thread evaluating alerts or
# embedding comments beside the first only slowed both (bench/alert_latency.py).


def _wants_lane(names: list[str]) -> bool:
    """A lane when the worker takes urgent work along with other work."""
    from django.conf import settings

    return settings.URGENT_QUEUE in names and len(names) > 1


LANE_READY_SECONDS = 10.0


def _start_lane_and_wait(seconds: float) -> None:
    """Start the lane and wait (at most `seconds`: Redis may be away, the worker's own loop
    then waits for it) until it listens, so the lane is there before the worker registers."""
    ready = threading.Event()
    _start_urgent_lane(lambda: _rq_lane(ready=ready))
    if not ready.wait(seconds):
        import logging

        logging.getLogger("voxloop.worker").warning("urgent lane: not listening yet")


def _start_urgent_lane(run: Callable[[], None]) -> None:
    """Run `run` in a daemon thread, again a second after it ends or fails (Redis away)."""
    import logging
    import threading

    log = logging.getLogger("voxloop.worker")

    def lane() -> None:
        while True:
            try:
                run()
            except Exception as error:
                log.warning("urgent lane: %s; starting again", error)
            finally:
                from django.db import connections

                connections.close_all()
            time.sleep(1)

    threading.Thread(target=lane, name="voxloop-urgent-lane", daemon=True).start()


def _rq_lane(burst: bool = False, ready: threading.Event | None = None) -> None:
    """Take urgent jobs from RQ in a thread that is not the main one (`burst`: those queued
    now, then return); `ready` is set once it listens, with its database connection open."""
    import django_rq
    from django.conf import settings
    from django_tasks_rq.backend import Job
    from rq import SimpleWorker
    from rq.timeouts import TimerDeathPenalty

    from voxloop.cli import warmup

    class Lane(SimpleWorker):
        # Not the main thread: no signal handlers, and job timeouts by a timer, not SIGALRM.
        death_penalty_class = TimerDeathPenalty
        # Redis away (a restart): look again every second, not after 1, 2, 4, 8, 16 s as RQ
        # does, which held alerts 25 s after a Redis restart of 11 s (bench/cluster.py).
        max_connection_wait_time = 1.0

        def _install_signal_handlers(self) -> None:
            pass

        def register_birth(self) -> None:
            super().register_birth()
            if ready is not None:
                ready.set()

    warmup.connect()  # this thread's own connection, before it takes a job
    queue = django_rq.get_queue(settings.URGENT_QUEUE, job_class=Job)
    lane = Lane([queue], connection=queue.connection, job_class=Job)
    lane.work(burst=burst, logging_level="WARNING")


def rq_queue_names(queues: tuple[str, ...] = ()) -> list[str]:
    """The RQ queues a worker listens to, in the order it takes jobs: those named, else all
    configured, the urgent queue (alerts) first either way. RQ takes from the first queue that has a
    job, so an alert never waits behind a campaign's batches (decision 0054)."""
    from django.conf import settings

    names = list(queues) or list(settings.RQ_QUEUES)
    if settings.URGENT_QUEUE in names:
        names.remove(settings.URGENT_QUEUE)
        names.insert(0, settings.URGENT_QUEUE)
    return names


def _start_scheduler_standby(names: list[str], tick_seconds: float) -> None:
    """Move due delayed jobs into their queues whenever no RQ scheduler holds the lock.

    RQ's scheduler is a process forked by one worker; when its Redis connection drops (a Redis
    restart) it dies, and its worker starts another only at its next maintenance, minutes
    later: delayed jobs (spaced batches, retries) would wait that long. Here every worker
    tries, each tick, to take the scheduler's lock the way RQ's scheduler does; whoever gets
    it moves what is due and lets the lock go, so a job is never moved twice (decision 0039).
    """
    import logging
    import threading

    log = logging.getLogger("voxloop.worker")

    def run() -> None:
        import django_rq
        from rq.scheduler import RQScheduler

        while True:
            time.sleep(tick_seconds)
            try:
                scheduler = RQScheduler(names, connection=django_rq.get_connection(names[0]))
                if scheduler.acquire_locks():
                    try:
                        scheduler.enqueue_scheduled_jobs()
                    finally:
                        scheduler.release_locks()
            except Exception as error:  # Redis away: try again next tick
                log.warning("scheduler standby: %s", error)

    threading.Thread(target=run, name="voxloop-rq-scheduler-standby", daemon=True).start()


@click.command()
@click.option(
    "--worker",
    "wait_worker",
    type=float,
    metavar="SECONDS",
    help="Also wait this long for a worker to run a ping task.",
)
def check(wait_worker: float | None) -> None:
    """Check the database, task queue and worker."""
    base.django_ready()
    base.require_migrated()
    import json

    from django.test import RequestFactory

    from voxloop.web.health import healthz

    # The view itself, not a request through the URL conf: ALLOWED_HOSTS may not list us.
    response = healthz(RequestFactory().get("/healthz"))
    body = json.loads(response.content)
    click.echo(f"database: {body['database']}, tasks: {body['tasks']}")
    if response.status_code != 200:
        fail("unhealthy: " + ", ".join(f"{k} {v}" for k, v in body.items() if v != "ok"))
    if wait_worker:
        _wait_for_ping(wait_worker)


def _wait_for_ping(timeout: float) -> None:
    from voxloop.cli.tasks import ping

    result = ping.enqueue("voxloop check")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result.refresh()
        if result.is_finished:
            if result.status != "SUCCESSFUL":
                fail(f"the ping task ended as {result.status}")
            click.echo(f"worker: ok (ping {result.id} answered by pid {result.return_value})")
            return
        time.sleep(0.25)
    fail(f"no worker ran the ping task within {timeout:g}s; start one with: voxloop worker")


@click.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command.

    For example: voxloop manage showmigrations
    """
    base.django_ready()
    from django.core.management import execute_from_command_line, get_commands

    if not args or args[0] in {"help", "--help", "-h", "--version"}:
        execute_from_command_line(["voxloop manage", *args])
        return
    name, rest = args[0], list(args[1:])
    if name not in get_commands():
        fail(f"no management command '{name}' (list them with: voxloop manage help)")
    _run_management_command(name, rest)


def _run_management_command(name: str, argv: list[str]) -> None:
    """Like Django's own runner, but a bad option raises CommandError (one line from `main`)
    instead of printing the whole usage text."""
    from django.core.management import get_commands, load_command_class
    from django.core.management.base import BaseCommand

    app = get_commands()[name]
    command = app if isinstance(app, BaseCommand) else load_command_class(app, name)
    parser = command.create_parser("voxloop manage", name)
    options = vars(parser.parse_args(argv))
    positional = options.pop("args", ())
    command.execute(*positional, **options)
