"""Deliveries to a real local receiver: signed so a receiver can verify them, retried along the
backoff for a day, surviving a receiver that is down for an hour (simulated clock), replayed on
demand, disabled with an email to the admin after a day of failures, and refused when the
destination is not a public address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests.webhooks.support import subscribe
from voxloop.errors import InvalidInput
from voxloop.webhooks import delivery, services, signing
from voxloop.webhooks.models import Delivery, Subscription


def _t0() -> datetime:
    return timezone.now().replace(microsecond=0)


def _publish(org, at, key, unit_key="c1r1s1"):
    return services.publish(
        organization_id=org.root.organization_id,
        unit_path=org.units[unit_key].path,
        event_type="response.completed",
        key=key,
        data={"response": {"id": key}},
        at=at,
    )


def _independent_check(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's side, written from the Standard Webhooks text, not from our module."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(sig == f"v1,{expected}" for sig in headers["webhook-signature"].split())


def test_a_receiver_verifies_the_signature(world, receiver):
    _subscription, secret = subscribe(world.acme, url=receiver.url)
    now = _t0()
    [delivery_id] = _publish(world.acme, now, "1")
    assert delivery.deliver(delivery_id, now) == "delivered"
    [request] = receiver.requests
    headers = {k.lower(): v for k, v in request.headers.items()}
    assert _independent_check(secret, headers, request.body)
    assert signing.verify(secret, headers, request.body, now=now.timestamp())
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    # A changed body, another secret or a stale timestamp are refused.
    assert not signing.verify(secret, headers, request.body + b" ", now=now.timestamp())
    assert not signing.verify(signing.new_secret(), headers, request.body, now=now.timestamp())
    assert not signing.verify(secret, headers, request.body, now=now.timestamp() + 301)
    message = json.loads(request.body)
    assert message["type"] == "response.completed" and message["version"] == 1
    assert message["data"] == {"response": {"id": "1"}}
    row = Delivery.objects.get(pk=delivery_id)
    assert headers["webhook-id"] == row.message_id and row.attempts == 1
    assert row.last_status_code == 200


def test_the_backoff_schedule_spans_a_day_then_disables_and_emails_the_admin(
    world, receiver, smtp_settings
):
    world.acme.user("admin").email = "admin@acme.test"
    world.acme.user("admin").save()
    receiver.status = 503
    subscription, _ = subscribe(world.acme, url=receiver.url)
    start = _t0()
    [delivery_id] = _publish(world.acme, start, "1")
    offsets = []
    for _ in range(20):
        row = Delivery.objects.get(pk=delivery_id)
        if row.status != "pending":
            break
        offsets.append(row.run_after - start)
        delivery.deliver(delivery_id, row.run_after)
    minutes = [round(o.total_seconds() / 60, 1) for o in offsets]
    assert minutes == [0, 0.5, 2.5, 10.5, 42.5, 170.5, 650.5, 1130.5, 1440]
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 6, 7)] == [
        30,
        120,
        480,
        1920,
        7680,
        28800,
        28800,
    ]
    row = Delivery.objects.get(pk=delivery_id)
    assert row.status == "failed" and row.attempts == 9 and len(receiver.requests) == 9
    assert "HTTP 503" in row.last_error and row.last_status_code == 503
    subscription.refresh_from_db()
    assert not subscription.is_active and "24 hours" in subscription.disabled_reason
    [mail] = smtp_settings.wait_for(1)
    assert mail.recipients == ["admin@acme.test"]
    assert subscription.name in mail.message["Subject"]
    assert f"/webhooks/{subscription.pk}/" in mail.message.get_content()
    # A second failing delivery finds it already off: no second email, nothing attempted.
    [other] = _publish(world.acme, start + timedelta(days=1), "2") or [None]
    assert other is None  # a disabled subscription receives nothing new


def test_a_receiver_down_for_an_hour_loses_nothing(world, receiver):
    subscription, secret = subscribe(world.acme, url=receiver.url)
    start = _t0()
    receiver.stop()  # down from the start …
    expected = set()
    for minute in range(0, 181):
        now = start + timedelta(minutes=minute)
        if minute == 60:
            receiver.start()  # … back after an hour
        if minute % 3 == 0 and minute <= 120:  # an event every 3 minutes for two hours
            expected.update(
                Delivery.objects.get(pk=pk).message_id
                for pk in _publish(world.acme, now, f"e{minute}")
            )
        for second in (0, 30):
            delivery.sweep(now + timedelta(seconds=second))
    received = Counter(r.headers["webhook-id"] for r in receiver.requests)
    assert set(received) == expected and len(expected) == 41
    assert max(received.values()) == 1  # a sequential sweep sends each message once
    assert not Delivery.objects.exclude(status="delivered").exists()
    # What waited during the outage arrived within two minutes of the receiver's return.
    late = Delivery.objects.filter(created_at__lt=start + timedelta(minutes=60))
    assert max(d.delivered_at for d in late) <= start + timedelta(minutes=62)
    for request in receiver.requests:
        stamp = int(request.headers["webhook-timestamp"])
        assert signing.verify(secret, request.headers, request.body, now=stamp)
    assert Subscription.objects.get(pk=subscription.pk).is_active


def test_a_delivery_claimed_twice_is_attempted_once(world, receiver):
    subscribe(world.acme, url=receiver.url)
    now = _t0()
    [delivery_id] = _publish(world.acme, now, "1")
    assert delivery.claim(delivery_id, now) is not None
    # A second worker (or the sweep) finds it leased.
    assert delivery.deliver(delivery_id, now) == "skipped"
    assert delivery.deliver(delivery_id, now + delivery.LEASE) == "delivered"
    assert len(receiver.requests) == 1


def test_one_event_announced_twice_is_one_delivery(world, receiver):
    subscribe(world.acme, url=receiver.url)
    now = _t0()
    first = _publish(world.acme, now, "same")
    assert len(first) == 1 and _publish(world.acme, now, "same") == []
    assert Delivery.objects.count() == 1


def test_replay_sends_the_same_message_again(world, receiver):
    _subscription, _ = subscribe(world.acme, url=receiver.url)
    now = _t0()
    [delivery_id] = _publish(world.acme, now, "1")
    delivery.deliver(delivery_id, now)
    row = Delivery.objects.get(pk=delivery_id)
    replayed = services.replay(actor=world.acme.scope("admin"), delivery=row, now=now)
    assert replayed.status == "pending" and replayed.replays == 1
    assert delivery.deliver(delivery_id, now) == "delivered"
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == row.message_id
    assert first.body == second.body


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(world, receiver):
    subscription, old = subscribe(world.acme, url=receiver.url)
    now = _t0()
    new = services.rotate_secret(actor=world.acme.scope("admin"), subscription=subscription,
                                 now=now)  # fmt: skip
    assert new != old and new.startswith("whsec_")
    for key, at in (("1", now), ("2", now + timedelta(hours=25))):
        [pk] = _publish(world.acme, at, key)
        delivery.deliver(pk, at)
    during, after = receiver.requests
    ts = int(during.headers["webhook-timestamp"])
    assert signing.verify(new, during.headers, during.body, ts)
    assert signing.verify(old, during.headers, during.body, ts)
    ts = int(after.headers["webhook-timestamp"])
    assert signing.verify(new, after.headers, after.body, ts)
    assert not signing.verify(old, after.headers, after.body, ts)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.8/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost/hook",
        "ftp://example.com/hook",
        "http://user:pw@example.com/hook",
    ],
)
def test_private_and_odd_destinations_are_refused_when_subscribing(world, settings, url):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(InvalidInput) as error:
        subscribe(world.acme, url=url)
    assert error.value.field == "url"
    assert not Subscription.objects.exists()


def test_the_outbound_guard_refuses_at_delivery_and_does_not_retry(world, receiver, settings):
    _subscription, _ = subscribe(world.acme, url=receiver.url)
    settings.OUTBOUND_ALLOWED_NETWORKS = []  # the receiver's address is loopback again
    now = _t0()
    [delivery_id] = _publish(world.acme, now, "1")
    assert delivery.deliver(delivery_id, now) == "failed"
    row = Delivery.objects.get(pk=delivery_id)
    assert row.last_error.startswith("refused:") and "not a public address" in row.last_error
    assert receiver.requests == []


def test_the_task_queue_sends_it_once_the_event_commits(
    world, survey, receiver, settings, django_capture_on_commit_callbacks
):
    from tests.webhooks.support import submit
    from voxloop.schedule.registry import registered

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    subscribe(world.acme, url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, {"nps": 10}, unit=world.acme.units["c2r1s1"])
    [request] = receiver.requests
    assert json.loads(request.body)["data"]["response"]["id"] == response.pk
    assert Delivery.objects.get().status == "delivered"
    sweep = next(p for p in registered() if p.name == "webhooks.deliver_due")
    assert sweep.interval == timedelta(minutes=1)


def test_when_the_creator_is_gone_the_admins_above_are_told(world, receiver, smtp_settings):
    acme = world.acme
    for name, email in (("admin", "top@acme.test"), ("country_admin", "c1@acme.test")):
        user = acme.user(name)
        user.email = email
        user.save()
    receiver.status = 500
    subscription, _ = subscribe(acme, "c1r1", url=receiver.url)
    subscription.created_by = None
    subscription.save()
    assert delivery.disable(subscription, _t0(), "HTTP 500")
    assert not delivery.disable(subscription, _t0(), "HTTP 500")  # once
    [mail] = smtp_settings.wait_for(1)
    assert sorted(mail.recipients) == ["c1@acme.test", "top@acme.test"]


class _Verifying(BaseHTTPRequestHandler):
    """A receiver that does what docs/webhooks.md tells integrators: 401 unless verified."""

    secret = ""
    verdicts: list[bool] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ok = signing.verify(type(self).secret, dict(self.headers), body, now=time.time())
        type(self).verdicts.append(ok)
        self.send_response(204 if ok else 401)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_verifying_receiver_accepts_ours_and_refuses_a_wrong_secret(world):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Verifying)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        _subscription, secret = subscribe(world.acme, url=url)
        _Verifying.secret, _Verifying.verdicts = secret, []
        now = timezone.now()  # the receiver checks the timestamp against its own clock
        [first] = _publish(world.acme, now, "1")
        assert delivery.deliver(first, now) == "delivered"
        _Verifying.secret = signing.new_secret()  # a receiver configured with another secret
        [second] = _publish(world.acme, now, "2")
        assert delivery.deliver(second, now) == "pending"
        row = Delivery.objects.get(pk=second)
        assert row.last_status_code == 401 and row.attempts == 1
        assert _Verifying.verdicts == [True, False]
    finally:
        server.shutdown()
        server.server_close()
