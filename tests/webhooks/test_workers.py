"""Several workers sweeping at once through a receiver's hour-long outage: every message
arrives, none twice (PostgreSQL; SQLite's in-memory test database is not shared by threads)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from tests.closedloop.receiver import Receiver
from tests.factories import build_org
from tests.smtp import free_port
from voxloop.webhooks import delivery, services
from voxloop.webhooks.models import Delivery

WORKERS = 4


@pytest.mark.django_db(transaction=True)
def test_four_workers_through_an_outage_send_each_message_once(settings):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's in-memory test database is not shared across threads")
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    org = build_org("race", "R")
    receiver = Receiver(port=free_port())
    services.create_subscription(
        actor=org.scope("admin"), unit=org.root, name="all", url=receiver.url,
        events=["response.completed"],
    )  # fmt: skip
    start = timezone.now().replace(microsecond=0)
    for n in range(30):
        services.publish(
            organization_id=org.root.organization_id,
            unit_path=org.units["c1r1s1"].path,
            event_type="response.completed",
            key=str(n),
            data={"n": n},
            at=start + timedelta(minutes=2 * n),
        )
    errors: list[Exception] = []

    def sweep_at(now, barrier):
        try:
            barrier.wait()
            delivery.sweep(now)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    try:
        for minute in range(0, 150, 1):
            if minute == 60:
                receiver.start()  # down for the first hour
            barrier = threading.Barrier(WORKERS)
            now = start + timedelta(minutes=minute)
            threads = [
                threading.Thread(target=sweep_at, args=(now, barrier)) for _ in range(WORKERS)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    finally:
        receiver.stop()
    assert errors == []
    received = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert len(received) == 30 and set(received.values()) == {1}
    assert set(Delivery.objects.values_list("status", flat=True)) == {"delivered"}
