"""Deliveries: one row each, signed webhooks, retries with backoff while a receiver is down,
never twice, and the hourly digest."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.closedloop.receiver import Receiver
from tests.closedloop.support import submit
from tests.smtp import free_port
from voxloop.closedloop import evaluation, notifications, services
from voxloop.closedloop.models import Notification

DETRACTOR = {"nps": 2, "improve": ["staff"], "comment": "Nobody helped me"}
SECRET = "s3cret-shared-with-the-receiver"


@pytest.fixture
def receiver():
    server = Receiver(port=free_port())
    yield server
    server.stop()


def hook_rule(world, survey, kind, url, secret=""):
    acme = world.acme
    return services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name=f"To {kind}",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[],
        webhooks=[{"kind": kind, "url": url, "secret": secret}],
        survey_ids=[survey.pk],
    )


def test_generic_webhook_is_signed_and_verifiable(world, survey, receiver):
    receiver.start()
    hook_rule(world, survey, "webhook", receiver.url, SECRET)
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    [case] = evaluation.evaluate_response(response_id=response.pk)
    [request] = receiver.requests
    stamp = request.headers[notifications.TIMESTAMP_HEADER]
    signature = request.headers[notifications.SIGNATURE_HEADER]
    assert notifications.verify_signature(SECRET, stamp, request.body, signature)
    # A tampered body, another secret or an old timestamp fail.
    assert not notifications.verify_signature(SECRET, stamp, request.body + b" ", signature)
    assert not notifications.verify_signature("other", stamp, request.body, signature)
    assert not notifications.verify_signature(
        SECRET, stamp, request.body, signature, now=int(stamp) + 3600
    )
    payload = json.loads(request.body)
    assert payload["event"] == "case.opened" and payload["case"]["id"] == case.pk
    assert payload["response"]["nps"] == 2
    row = Notification.objects.get(case=case)
    assert request.headers[notifications.DELIVERY_HEADER] == str(row.pk)
    assert row.status == "sent" and row.attempts == 1


def test_slack_style_hook_gets_text(world, survey, receiver):
    receiver.start()
    hook_rule(world, survey, "slack", receiver.url)
    evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    [request] = receiver.requests
    assert "Nobody helped me" in json.loads(request.body)["text"]
    assert notifications.SIGNATURE_HEADER not in request.headers


def test_receiver_down_then_up_retries_with_backoff_and_sends_once(world, survey, receiver):
    hook_rule(world, survey, "webhook", receiver.url, SECRET)
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    [case] = evaluation.evaluate_response(
        response_id=response.pk
    )  # the receiver is not listening yet
    row = Notification.objects.get(case=case)
    assert (row.status, row.attempts) == ("pending", 1)
    assert "Connection refused" in row.last_error or "Errno" in row.last_error
    first_retry = row.run_after
    now = timezone.now()
    # Not due yet: the sweep leaves it alone.
    assert notifications.sweep(now) == 0
    # Still down at the retry: the next wait is twice as long.
    assert notifications.deliver(row.pk, now=first_retry) == "pending"
    row.refresh_from_db()
    assert row.attempts == 2
    assert row.run_after - first_retry == notifications.backoff(2)
    receiver.start()
    assert notifications.sweep(row.run_after) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("sent", 3)
    # Sent is sent: later sweeps and a re-evaluation send nothing more.
    assert notifications.sweep(row.run_after + timedelta(hours=2)) == 0
    evaluation.evaluate_response(response_id=response.pk)
    assert len(receiver.requests) == 1


def test_a_receiver_answering_500_is_retried_then_given_up(world, survey, receiver):
    receiver.status = 500
    receiver.start()
    hook_rule(world, survey, "webhook", receiver.url)
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    row = Notification.objects.get(case=case)
    while row.status == "pending":
        notifications.deliver(row.pk, now=row.run_after)
        row.refresh_from_db()
    assert row.status == "failed" and row.attempts == notifications.MAX_ATTEMPTS
    assert len(receiver.requests) == notifications.MAX_ATTEMPTS


def test_a_claimed_notification_is_not_sent_by_a_second_worker(world, survey, receiver):
    hook_rule(world, survey, "webhook", receiver.url)
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    row = Notification.objects.get(case=case)
    receiver.start()
    # One worker claims it (and, say, dies mid-send): another finds nothing to do …
    assert notifications.claim(row.pk, row.run_after) is not None
    assert notifications.deliver(row.pk, now=row.run_after) == "skipped"
    # … until the lease has run out; then it is sent, once.
    later = row.run_after + notifications.LEASE + timedelta(seconds=1)
    assert notifications.deliver(row.pk, now=later) == "sent"
    assert len(receiver.requests) == 1


def test_smtp_down_then_up(world, survey, detractor_rule, settings, smtp_server):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody there
    settings.EMAIL_TIMEOUT = 5
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    row = Notification.objects.get(case=case)
    assert row.status == "pending" and row.attempts == 1
    settings.EMAIL_PORT = smtp_server.port  # the server is back
    assert notifications.sweep(row.run_after) == 1
    [mail] = smtp_server.wait_for(1)
    assert mail.recipients == [world.acme.user("store").email]


def test_digest_collects_alerts_into_one_email(world, survey, smtp_settings):
    acme = world.acme
    services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Digest",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
        email_mode="digest",
    )
    store = acme.units["c1r1s1"]
    now = timezone.now()
    for _ in range(3):
        evaluation.evaluate_response(response_id=submit(survey, DETRACTOR, unit=store).pk, now=now)
    assert smtp_settings.messages == []
    assert notifications.send_digests(now) == 0  # not before the hour
    assert notifications.send_digests(now + timedelta(hours=1)) == 1
    [mail] = smtp_settings.wait_for(1)
    assert "3 alert" in mail.message["Subject"]
    assert notifications.send_digests(now + timedelta(hours=2)) == 0


def test_webhooks_to_private_addresses_are_refused_by_default(world, survey, receiver, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    receiver.start()
    hook_rule(world, survey, "webhook", receiver.url, SECRET)
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"]).pk
    )
    row = Notification.objects.get(case=case)
    assert row.status == "failed" and "not a public address" in row.last_error
    assert receiver.requests == []
