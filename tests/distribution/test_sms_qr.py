"""SMS through the HTTP provider (a local server standing in for the SMS API) and the file
provider; QR codes per unit carry the unit's code."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import segno
from django.test import Client
from django.utils import timezone

from tests.contacts.helpers import add_contact
from voxloop.distribution import services
from voxloop.distribution.delivery import followups
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.distribution.onsite import qr


class SmsApi(BaseHTTPRequestHandler):
    received: list = []
    status = 202  # a test sets 503 to play a provider that is down

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        SmsApi.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(SmsApi.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_api(settings):
    SmsApi.received, SmsApi.status = [], 202
    server = ThreadingHTTPServer(("127.0.0.1", 0), SmsApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_HTTP_TOKEN = "sms-secret"
    settings.SMS_SENDER = "Acme"
    yield SmsApi.received
    server.shutdown()


def _sms_campaign(acme, survey, queue, capture, **settings):
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Texts",
        channel="sms",
        **settings,
    )
    with capture(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run()
    return campaign


def test_sms_goes_to_the_http_provider_with_a_short_tracked_link(
    outreach, sms_api, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    texted = add_contact(acme, "c1r1s1", "TXT", phone="+44 7700 900123", consent_sms=True)
    add_contact(acme, "c1r1s1", "NOSMS", phone="+447700900999", consent_sms=False)
    campaign = _sms_campaign(acme, survey, queue, django_capture_on_commit_callbacks)
    assert len(sms_api) == 1
    auth, body = sms_api[0]
    assert auth == "Bearer sms-secret"
    assert body["to"] == "+44 7700 900123" and body["from"] == "Acme"
    invitation = Invitation.objects.get(campaign=campaign, contact=texted)
    assert f"/o/c/{invitation.ref}" in body["text"] and len(body["text"]) < 160
    assert invitation.status == InvitationStatus.SENT
    skipped = dict(
        Invitation.objects.filter(campaign=campaign).values_list(
            "contact__external_id", "skip_reason"
        )
    )
    assert skipped["NOSMS"] == "no_consent" and skipped["ANN"] == "no_address"


def test_sms_reminders_go_to_the_silent_and_wait_while_the_provider_is_down(
    outreach, sms_api, queue, django_capture_on_commit_callbacks
):
    acme, survey, _people = outreach
    texted = add_contact(acme, "c1r1s1", "TXT", phone="+447700900123", consent_sms=True)
    campaign = _sms_campaign(acme, survey, queue, django_capture_on_commit_callbacks,
                             reminders=1, reminder_after_days=3)  # fmt: skip
    assert len(sms_api) == 1
    now = timezone.now()
    SmsApi.status = 503
    assert followups.run(now + timedelta(days=4))["reminded"] == 0
    invitation = Invitation.objects.get(campaign=campaign, contact=texted)
    assert invitation.reminders_sent == 0  # given back for the next run
    SmsApi.status = 202
    assert followups.run(now + timedelta(days=4))["reminded"] == 1
    assert sms_api[-1][1]["text"].startswith("Reminder:") and len(sms_api) == 3
    assert followups.run(now + timedelta(days=8))["reminded"] == 0  # one reminder at most
    invitation.refresh_from_db()
    assert invitation.reminders_sent == 1


def test_sms_file_provider_for_development(
    outreach, settings, tmp_path, queue, django_capture_on_commit_callbacks
):
    acme, survey, _ = outreach
    settings.SMS_PROVIDER = "file"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    add_contact(acme, "c1r1s1", "TXT", phone="+15550100")
    _sms_campaign(acme, survey, queue, django_capture_on_commit_callbacks)
    [line] = (tmp_path / "sms.log").read_text().splitlines()
    assert json.loads(line)["to"] == "+15550100"


def test_qr_code_per_unit_in_png_and_svg_and_a_sheet_for_a_region(outreach):
    acme, survey, _ = outreach
    store = acme.units["c1r1s1"]
    link = qr.unit_link(survey, store)
    assert link.endswith(f"/s/{survey.public_slug}?u={store.code}&src=qr")
    client = Client()
    client.force_login(acme.user("regional"))
    png = client.get(f"/outreach/qr/{store.pk}.png?survey={survey.pk}")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    svg = client.get(f"/outreach/qr/{store.pk}.svg?survey={survey.pk}&download=1")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert store.code in svg["Content-Disposition"]
    assert segno.make(link, error="m").designator  # the same content encodes cleanly
    sheet = client.get(f"/outreach/qr/{acme.units['c1r1'].pk}/sheet/?survey={survey.pk}")
    page = sheet.content.decode()
    assert page.count("<img ") == 2 and "Store 1.1.1" in page and "Store 1.1.2" in page
    assert client.get(f"/outreach/qr/{acme.units['c2r1s1'].pk}.svg").status_code == 404
