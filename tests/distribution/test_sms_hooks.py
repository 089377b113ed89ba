"""The SMS provider's callbacks: delivery reports (POST /o/hooks/sms/<token>/status) move the
texted invitation along its lifecycle, and replies (POST /o/hooks/sms/<token>/inbound) STOP,
START and HELP, changing SMS consent for every contact with that number. The texts go out
through a local HTTP server standing in for the provider, which answers with a message id."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.test import Client

from tests.contacts.helpers import add_contact
from tests.surveys.api_client import ApiClient
from voxloop.contacts.models import Contact
from voxloop.contacts.phones import to_e164
from voxloop.distribution import services
from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.distribution.sms import hooks
from voxloop.distribution.sms.sending import text_of
from voxloop.tenancy.models import AuditEntry


class Provider(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Provider.received.append(body)
        answer = json.dumps({"sid": f"SM{len(Provider.received):04d}"}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    Provider.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.SMS_PROVIDER = "http"
    settings.SMS_HTTP_URL = f"http://127.0.0.1:{server.server_port}/messages"
    settings.SMS_HTTP_TOKEN = "sms-secret"
    yield Provider.received
    server.shutdown()


@pytest.fixture
def texted(outreach, provider, queue, django_capture_on_commit_callbacks):
    """Acme texted one contact; its callback token; the invitation with its provider id."""
    acme, survey, _people = outreach
    contact = add_contact(acme, "c1r1s1", "TXT", phone="+44 7700 900123", locale="ro")
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1s1"],
        survey=survey,
        segment=None,
        name="Texts",
        channel="sms",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run()
    invitation = Invitation.objects.get(campaign=campaign, contact=contact)
    token = hooks.hook_for(acme.scope("admin")).token
    return acme, token, invitation


def _status(token, **data):
    return Client().post(f"/o/hooks/sms/{token}/status", data)


def test_the_provider_id_is_kept_and_a_delivery_report_moves_the_invitation_once(texted):
    _acme, token, invitation = texted
    assert invitation.status == InvitationStatus.SENT and invitation.message_id == "SM0001"
    # Twilio's form-encoded shape.
    answer = _status(token, MessageSid="SM0001", MessageStatus="delivered")
    assert answer.status_code == 200 and answer.json() == {"result": "applied"}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DELIVERED and invitation.delivered_at
    stamp = invitation.delivered_at
    again = _status(token, MessageSid="SM0001", MessageStatus="delivered")
    assert again.json() == {"result": "unchanged"}
    invitation.refresh_from_db()
    assert invitation.delivered_at == stamp
    # "sent" is only in flight: nothing to record.
    assert _status(token, MessageSid="SM0001", MessageStatus="sent").json() == {"result": "ignored"}


def test_a_permanent_failure_marks_the_phone_invalid_and_a_repeat_changes_nothing(texted):
    _acme, token, invitation = texted
    answer = Client().post(
        f"/o/hooks/sms/{token}/status",
        json.dumps({"messageId": "SM0001", "status": "undelivered", "err-code": "30006"}),
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json() == {"result": "applied"}
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED and "30006" in invitation.error
    contact = Contact.objects.get(pk=invitation.contact_id)
    assert contact.phone_invalid
    updated = contact.updated_at
    assert _status(token, MessageSid="SM0001", MessageStatus="failed").json() == {
        "result": "unchanged"
    }
    contact.refresh_from_db()
    assert contact.updated_at == updated


def test_a_temporary_failure_keeps_the_phone(texted):
    _acme, token, invitation = texted
    _status(token, MessageSid="SM0001", MessageStatus="undelivered", ErrorCode="30003")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.FAILED
    assert not Contact.objects.get(pk=invitation.contact_id).phone_invalid


def test_bad_and_unknown_reports_are_clear_4xx_errors(texted, world):
    _acme, token, _invitation = texted
    unknown = _status(token, MessageSid="SM9999", MessageStatus="delivered")
    assert unknown.status_code == 404 and unknown.json()["field"] == "message_id"
    missing = _status(token, MessageStatus="delivered")
    assert missing.status_code == 400 and missing.json()["field"] == "message_id"
    odd = _status(token, MessageSid="SM0001", MessageStatus="teleported")
    assert odd.status_code == 400 and odd.json()["field"] == "status"
    broken = Client().post(
        f"/o/hooks/sms/{token}/status", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400 and broken.json()["field"] == "body"
    assert (
        _status("no-such-token", MessageSid="SM0001", MessageStatus="delivered").status_code == 404
    )
    # Another organisation's token never reaches Acme's messages.
    other = hooks.hook_for(world.other.scope("admin")).token
    assert _status(other, MessageSid="SM0001", MessageStatus="delivered").status_code == 404
    assert Client().get(f"/o/hooks/sms/{token}/status").status_code == 405


def test_callbacks_are_rate_limited(texted, settings):
    _acme, token, _invitation = texted
    cache.clear()
    settings.SURVEY_SUBMIT_RATE_LIMIT = 2
    codes = [
        _status(token, MessageSid="SM0001", MessageStatus="sent").status_code for _ in range(3)
    ]
    assert codes == [200, 200, 429]
    cache.clear()


def _inbound(token, sender, body, query=""):
    return Client().post(f"/o/hooks/sms/{token}/inbound{query}", {"From": sender, "Body": body})


def test_stop_withdraws_sms_consent_for_every_contact_with_the_number_then_start_restores(
    texted, queue, django_capture_on_commit_callbacks, world
):
    acme, token, _invitation = texted
    twin = add_contact(acme, "c2r1s1", "TWIN", phone="+44-7700-(900123)")
    stranger = add_contact(acme, "c1r1s1", "OTHER", phone="+447700900999")
    elsewhere = add_contact(world.other, "c1r1s1", "TXT", phone="+447700900123")
    answer = _inbound(token, "+447700900123", " stop ")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/xml")
    page = answer.content.decode()
    assert page.startswith("<?xml") and "<Response><Message>" in page and "START" in page
    stopped = Contact.objects.filter(consent_sms=False)
    assert set(stopped.values_list("external_id", "organization_id")) == {
        ("TXT", acme.root.organization_id),
        ("TWIN", acme.root.organization_id),
    }
    assert Contact.objects.get(pk=stranger.pk).consent_sms
    assert Contact.objects.get(pk=elsewhere.pk).consent_sms  # another tenant's contact
    audit = AuditEntry.objects.filter(action="contact.consent.sms")
    assert audit.count() == 2 and {e.changes["allowed"] for e in audit} == {False}
    assert _inbound(token, "+447700900123", "STOP").status_code == 200
    assert audit.all().count() == 2  # a repeated STOP changes nothing

    # The policy now skips the contact on SMS, with the reason recorded.
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c2r1s1"],
        survey=texted[2].survey,
        segment=None,
        name="T2",
        channel="sms",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)
    queue.run()
    assert Invitation.objects.get(campaign=campaign, contact=twin).skip_reason == "no_consent"

    restored = _inbound(token, "+447700900123", "START", query="?format=text")
    assert restored["Content-Type"].startswith("text/plain") and "STOP" in restored.content.decode()
    assert Contact.objects.filter(consent_sms=False).count() == 0
    assert audit.all().count() == 4


@pytest.mark.parametrize(
    "word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit", "退订", "配信停止"]
)
def test_every_stop_word_stops(texted, word):
    _acme, token, invitation = texted
    _inbound(token, "+447700900123", word)
    assert not Contact.objects.get(pk=invitation.contact_id).consent_sms


def test_help_answers_in_the_senders_language_and_other_text_gets_no_answer(texted):
    _acme, token, invitation = texted
    helped = _inbound(token, "+447700900123", "help", query="?format=text").content.decode()
    assert "Acme Retail" in helped and "STOP" in helped and "Răspundeți" in helped  # Romanian
    assert Contact.objects.get(pk=invitation.contact_id).consent_sms
    quiet = _inbound(token, "+447700900123", "thanks, great store")
    assert quiet.content.decode().endswith("<Response></Response>")


def test_bad_inbound_requests_name_the_field(texted):
    _acme, token, _invitation = texted
    assert _inbound(token, "", "STOP").json()["field"] == "from"
    bad = _inbound(token, "07700 900123", "STOP")  # national: no country code
    assert bad.status_code == 400 and bad.json()["field"] == "from"
    assert _inbound("nope", "+447700900123", "STOP").status_code == 404


def test_outgoing_texts_say_how_to_opt_out_in_the_contacts_language(texted, provider):
    _acme, _token, invitation = texted
    assert provider[0]["text"].endswith("Reply STOP to opt out.")  # the survey's language: en
    assert provider[0]["reference"] == invitation.ref
    for locale, words in {"ro": "STOP", "ja": "STOP", "zh-hans": "退订"}.items():
        invitation.locale = locale
        assert words in text_of(invitation)


def test_phone_numbers_in_e164():
    assert to_e164("+44 7700 900123") == "+447700900123"
    assert to_e164("0044 (7700) 900-123") == "+447700900123"
    assert to_e164("07700900123") is None and to_e164("+12") is None and to_e164("") is None


def test_api_gives_admins_the_callback_urls_and_rotating_retires_the_old_ones(texted):
    acme, token, _invitation = texted
    api = ApiClient(acme.members["admin"])
    urls = api.get("/outreach/sms-hooks").json()
    assert urls["status_url"].endswith(f"/o/hooks/sms/{token}/status")
    assert urls["inbound_url"].startswith("https://cx.example.test/o/hooks/sms/")
    rotated = api.call("post", "/outreach/sms-hooks/rotate").json()
    assert token not in rotated["status_url"] and rotated["rotated_at"]
    assert _status(token, MessageSid="SM0001", MessageStatus="delivered").status_code == 404
    new = rotated["status_url"].split("/")[-2]
    assert _status(new, MessageSid="SM0001", MessageStatus="delivered").status_code == 200
    assert AuditEntry.objects.filter(action="sms_hook.rotate").count() == 1
