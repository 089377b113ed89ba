"""Where what customers write is shown, emails, phone numbers, card and id numbers in it are
masked: dashboards, digests, alert emails, chat and webhook messages, praise, exports and the
API for everyone but admins, case pages for whoever does not work the case. Admins keep the
original, unless the organisation stores comments masked from the start."""

from __future__ import annotations

import json
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.privacy.support import built_once
from tests.surveys.api_client import ApiClient
from tests.surveys.builders import store_visit_survey
from voxloop.analytics import dashboard, digests, filters
from voxloop.closedloop import evaluation
from voxloop.closedloop import services as closedloop_services
from voxloop.closedloop.models import Notification, Praise
from voxloop.responses.models import Response
from voxloop.responses.services import Submission, submit

PHONE, CARD, EMAIL, CNP = "0722 123 456", "4111 1111 1111 1111", "ana@example.ro", "1861013042271"
COMMENT = f"Charged twice on card {CARD}! Call me on {PHONE} or write to {EMAIL}. CNP {CNP}"
SECRETS = (PHONE, CARD, EMAIL, CNP)


def _feedback(world):
    acme = world.acme
    survey = store_visit_survey(acme)
    closedloop_services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Every answer",
        conditions={"items": [{"field": "nps", "op": "gte", "value": 0}]},
        recipients=[{"type": "role", "role": "manager"}],
        webhooks=[
            {"kind": "slack", "url": "https://hooks.example.test/slack"},
            {"kind": "webhook", "url": "https://hooks.example.test/generic"},
        ],
        record_praise=True,
        survey_ids=[survey.pk],
    )
    store = acme.units["c1r1s1"]
    ann = add_contact(acme, "c1r1s1", "ANN")
    complaint = submit(
        submission=Submission(
            survey=survey,
            answers={"nps": 2, "improve": ["queue"], "comment": COMMENT},
            unit=store,
            contact=ann,
        )
    ).response
    clerk = store.staff.first()
    praise = submit(
        submission=Submission(
            survey=survey,
            answers={"nps": 10, "comment": f"{clerk.name.split()[0]} was great, call {PHONE}"},
            unit=store,
            staff=clerk,
        )
    ).response
    [case] = evaluation.evaluate_response(response_id=complaint.pk)
    evaluation.evaluate_response(response_id=praise.pk)
    return {"survey": survey, "complaint": complaint, "case": case}


built = built_once(_feedback)


def _unmasked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _browser(world, who: str) -> Client:
    client = Client()
    client.force_login(world.acme.members[who].user)
    return client


def test_dashboards_and_digests_show_no_contact_details(world, made):
    today = filters.parse({})
    for who in ("admin", "store"):
        panel = dashboard.payload(world.acme.scope(who), today, parts=("verbatims",))
        texts = " ".join(v["text"] for v in panel["verbatims"])
        assert "[card]" in texts and _unmasked(texts) == [], who
    digest = digests.digest_for(world.acme.members["regional"], timezone.now() + timedelta(days=1))
    texts = " ".join(c["text"] for c in digest["comments"])
    assert "[phone]" in texts and _unmasked(texts) == []


def test_alert_emails_chat_and_webhooks_carry_no_contact_details(world, made):
    sent = Notification.objects.filter(case=made["case"])
    assert {n.channel for n in sent} >= {"email", "slack", "webhook"}
    for notification in sent:
        words = notification.body + json.dumps(notification.payload, ensure_ascii=False)
        assert _unmasked(words) == [], notification.channel
    webhook = sent.get(channel="webhook").payload
    assert webhook["response"]["answers"]["comment"].startswith("Charged twice on card [card]!")


def test_praise_shown_to_the_unit_is_masked(world, made):
    [praise] = Praise.objects.all()
    assert praise.text.endswith("call [phone]")


def test_exports_and_the_api_are_masked_for_everyone_but_admins(world, made):
    for who, originals in (("admin", True), ("director", False), ("analyst", False)):
        answer = _browser(world, who).get("/analytics/export/responses.csv")
        body = b"".join(answer.streaming_content).decode()
        assert (_unmasked(body) == list(SECRETS)) if originals else (_unmasked(body) == []), who
    for who, originals in (("admin", True), ("store", False), ("analyst", False)):
        api = ApiClient(membership=world.acme.members[who])
        listed = json.dumps(api.get("/responses").json(), ensure_ascii=False)
        one = json.dumps(api.get(f"/responses/{made['complaint'].pk}").json(), ensure_ascii=False)
        for words in (listed, one):
            assert (_unmasked(words) == list(SECRETS)) if originals else (_unmasked(words) == [])


def test_case_pages_show_a_call_back_number_only_to_who_works_the_case(world, made):
    path = f"/cases/{made['case'].pk}/"
    seen = {who: _browser(world, who).get(path).content.decode() for who in ("admin", "store")}
    seen["analyst"] = _browser(world, "analyst").get(path).content.decode()
    assert _unmasked(seen["admin"]) == list(SECRETS)
    assert _unmasked(seen["store"]) == [PHONE, EMAIL]  # to call back; never card or CNP
    assert "[card]" in seen["store"] and "[id]" in seen["store"]
    assert _unmasked(seen["analyst"]) == []


def test_an_organisation_can_keep_no_originals_at_all(world, made):
    from voxloop.privacy import services as privacy_services

    privacy_services.update_policy(actor=world.acme.scope("admin"), mask_at_capture=True)
    answer = ApiClient(membership=world.acme.members["admin"]).post(
        "/responses",
        {"survey_id": made["survey"].pk, "answers": {"nps": 8, "comment": COMMENT}},
    )
    assert answer.status_code == 201
    stored = Response.objects.get(pk=answer.json()["id"]).answers["comment"]
    assert (
        stored == "Charged twice on card [card]! Call me on [phone] or write to [email]. CNP [id]"
    )
    other = world.other
    kept = submit(
        submission=Submission(
            survey=store_visit_survey(other), answers={"nps": 9, "comment": COMMENT}
        )
    ).response
    assert kept.answers["comment"] == COMMENT  # another organisation's choice, not theirs
