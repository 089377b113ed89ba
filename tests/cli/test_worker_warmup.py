"""A worker is ready before it takes jobs, and what it loads for an alert stays light
(decision 0064)."""

import json
import os
import subprocess
import sys
import threading
import uuid

import pytest


def _fresh_python(code: str, tmp_path) -> dict:
    """Run `code` after Django's set-up in a new interpreter; the JSON it prints."""
    env = dict(
        os.environ, VOXLOOP_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="voxloop.config.settings"
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    prelude = "import json, sys, django\ndjango.setup()\n"
    done = subprocess.run(
        [sys.executable, "-c", prelude + code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_alert_path_does_not_load_scipy(tmp_path):
    """scipy.stats took 0.8 of a worker's 1.8 s start (the closed loop's receivers reach the
    statistics through the analytics selectors); alerts never use it."""
    found = _fresh_python(
        "import voxloop.closedloop.evaluation, voxloop.closedloop.tasks\n"
        "from voxloop.cli.warmup import warm_up\n"
        "warm_up()\n"
        "print(json.dumps(sorted(m for m in ('scipy', 'sklearn', 'torch') if m in sys.modules)))",
        tmp_path,
    )
    assert found == []


def test_the_statistics_still_work_once_scipy_is_loaded_where_used():
    from voxloop.analytics import inference

    assert inference.fisher_p(1, 10, 9, 10) < 0.01
    assert 0 < inference.nps_exact_p((5, 2, 3), (1, 2, 7)) < 1
    assert inference.rank_intervals([1.0, 0.0], [0.01, 0.01]) == [(1, 1), (2, 2)]


def test_warm_up_loads_every_language_url_table_and_the_alert_modules(tmp_path):
    found = _fresh_python(
        "from django.conf import settings\n"
        "from django.urls import get_resolver\n"
        "from voxloop.cli.warmup import warm_up\n"
        "warm_up()\n"
        "print(json.dumps({'languages': sorted(get_resolver()._reverse_dict),\n"
        "  'wanted': sorted(code for code, _ in settings.LANGUAGES),\n"
        "  'modules': [m for m in ('voxloop.closedloop.evaluation',\n"
        "     'voxloop.closedloop.notifications', 'voxloop.api.api') if m in sys.modules]}))",
        tmp_path,
    )
    assert found["languages"] == found["wanted"]
    assert found["modules"] == [
        "voxloop.closedloop.evaluation",
        "voxloop.closedloop.notifications",
        "voxloop.api.api",
    ]


def test_the_worker_warms_up_and_starts_its_lane_before_it_registers(settings, monkeypatch):
    """Jobs queued while the worker starts wait in Redis for a ready worker: a cold one took
    them and made them wait for its first-job costs (2-6 s on the cluster bench)."""
    import django.core.management
    from click.testing import CliRunner
    from django.test import override_settings
    from django_tasks.signals import task_finished, task_started

    from voxloop.cli import running, warmup

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.RQ_QUEUES = {"urgent": {}, "default": {}}
    settings.URGENT_QUEUE = "urgent"
    steps: list[str] = []
    monkeypatch.setattr(warmup, "warm_up", lambda: steps.append("warm up"))
    monkeypatch.setattr(running, "_start_scheduler_standby", lambda *a: None)
    monkeypatch.setattr(running.base, "require_migrated", lambda: None)

    def lane(*, ready: threading.Event | None = None, burst: bool = False) -> None:
        steps.append("lane listening")
        ready.set()  # type: ignore[union-attr]

    monkeypatch.setattr(running, "_rq_lane", lane)
    # Once, not the production loop: a lane left running again each second outlived the test
    # in the suite's process (the real `_rq_lane` after monkeypatch's undo).
    monkeypatch.setattr(
        running, "_start_urgent_lane", lambda run: threading.Thread(target=run).start()
    )
    monkeypatch.setattr(
        django.core.management, "call_command", lambda name, *a, **k: steps.append(name)
    )
    try:
        with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "django_rq"]):
            result = CliRunner().invoke(running.worker, ["--no-clock"])
    finally:
        task_started.disconnect(dispatch_uid="voxloop.worker.db_before")
        task_finished.disconnect(dispatch_uid="voxloop.worker.db_after")
    assert result.exit_code == 0, result.output
    assert steps == ["warm up", "lane listening", "rqworker"]


@pytest.mark.redis
def test_the_lane_says_when_it_listens(settings):
    import django_rq
    from rq import Worker

    from tests.tasks.test_rq_delivery import REDIS_URL
    from voxloop.cli.running import _rq_lane

    name = f"vx-test-urgent-{uuid.uuid4().hex[:12]}"
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60}}
    settings.URGENT_QUEUE = name
    ready = threading.Event()
    registered: list[bool] = []

    def on_ready() -> None:
        ready.wait(30)
        queue = django_rq.get_queue(name)
        registered.append(any(w.queue_names() == [name] for w in Worker.all(queue=queue)))

    watcher = threading.Thread(target=on_ready)
    watcher.start()
    try:
        _rq_lane(burst=True, ready=ready)
    finally:
        watcher.join(30)
        django_rq.get_queue(name).delete(delete_jobs=True)
    assert ready.is_set() and registered == [True]


@pytest.mark.redis
def test_the_cluster_counts_a_worker_ready_once_its_main_loop_registered():
    """`voxloop cluster up` reports ready, and `status` a worker taking jobs, only then: the
    lane registers first, the worker's own loop after its warm-up."""
    import redis

    from tests.tasks.test_rq_delivery import REDIS_URL
    from voxloop.cli.cluster import registered_workers

    client = redis.Redis.from_url(REDIS_URL)
    tag = uuid.uuid4().hex[:12]
    lane, main = f"rq:worker:vx-test-lane-{tag}", f"rq:worker:vx-test-main-{tag}"
    client.hset(lane, mapping={"pid": 990001, "queues": "urgent"})
    client.sadd("rq:workers", lane)
    try:
        assert 990001 not in registered_workers(REDIS_URL)
        client.hset(main, mapping={"pid": 990001, "queues": "urgent,default"})
        client.sadd("rq:workers", main)
        assert 990001 in registered_workers(REDIS_URL)
    finally:
        client.srem("rq:workers", lane, main)
        client.delete(lane, main)
    assert registered_workers("redis://127.0.0.1:1/0") == set()
