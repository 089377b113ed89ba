"""The web widget: its settings, the loader (/w/<key>.js), the show-or-not check
(/w/<key>/check), the framed survey (/w/f/<token> and /done) and who may frame it."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.respondent.helpers import next_question
from tests.surveys.builders import store_visit_survey
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Contact
from voxloop.distribution.models import Invitation, OutreachPolicy, Widget
from voxloop.distribution.widget import services as widgets
from voxloop.distribution.widget import visits
from voxloop.errors import Forbidden, InvalidInput
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services
from voxloop.tenancy.models import AuditEntry

SHOP = "https://shop.example.com"


@pytest.fixture
def shop(world):
    """Acme's NPS widget for its web shop, owned by region c1r1 (responses placed there)."""
    acme = world.acme
    survey = store_visit_survey(acme)
    widget = widgets.create_widget(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1"],
        survey=survey,
        name="Shop NPS",
        allowed_origins=["https://Shop.Example.com/", "http://127.0.0.1:8123"],
        url_patterns=["/account/*"],
        delay_seconds=5,
        sample_percent=50,
    )
    return acme, survey, widget


def check(client: Client, widget: Widget, origin: str = SHOP, **data):
    """The page's check; a user id is signed as the customer's server would, unless the test
    passes its own user_hash (None: none at all)."""
    headers = {"HTTP_ORIGIN": origin} if origin else {}
    if data.get("user_id") and "user_hash" not in data:
        data["user_hash"] = visits.user_hash(widget, data["user_id"])
    if data.get("user_hash", "") is None:
        del data["user_hash"]
    if "attributes" in data and not isinstance(data["attributes"], str):
        data["attributes"] = json.dumps(data["attributes"])
    return client.post(f"/w/{widget.key}/check", data, **headers)


def answer(client: Client, frame: str, question: str, value):
    return client.post(frame, {"q": question, question: value, "action": "next", "lang": "en"})


def complete(client: Client, frame: str, nps: str = "9"):
    assert next_question(answer(client, frame, "nps", nps)) == "csat"
    assert next_question(answer(client, frame, "csat", "5")) == "comment"
    done = answer(client, frame, "comment", "Easy checkout")
    assert done.status_code == 303 and "/done" in done["Location"]
    return done


# --- settings ---------------------------------------------------------------------------


def test_settings_are_checked_normalised_and_audited(shop):
    acme, survey, widget = shop
    assert widget.allowed_origins == [SHOP, "http://127.0.0.1:8123"]
    assert len(widget.key) >= 24
    second = widgets.create_widget(
        actor=acme.scope("admin"), unit=acme.root, survey=survey, name="App", allowed_origins=[SHOP]
    )
    assert second.key != widget.key
    assert AuditEntry.objects.filter(action="widget.create", target_id=str(widget.pk)).exists()
    refused = {
        "allowed_origins": [
            ["javascript:alert(1)"],
            ["https://shop.example.com/path"],
            ["https://user:pw@shop.example.com"],
            ["shop.example.com"],
            "not-a-list-of-origins https://ok.example.com?x",
        ],
        "url_patterns": [["checkout"], ["/a b"], ["/" + "x" * 300]],
        "sample_percent": [101, -1, "50"],
        "delay_seconds": [3601],
        "suppress_days": [366],
        "position": ["top-middle"],
        "manual_only": ["yes"],
        "name": [" ", "x\x00"],
    }
    for field, values in refused.items():
        for value in values:
            with pytest.raises(InvalidInput) as error:
                widgets.update_widget(actor=acme.scope("admin"), widget=widget, **{field: value})
            assert error.value.field == field, (field, value)
    widget.refresh_from_db()
    assert widget.sample_percent == 50


def test_only_admins_of_its_unit_change_it(shop, world):
    acme, survey, widget = shop
    with pytest.raises(Forbidden):
        widgets.update_widget(actor=acme.scope("regional"), widget=widget, name="Mine")
    with pytest.raises(Forbidden):
        widgets.set_widget_active(actor=world.other.scope("admin"), widget=widget, active=False)
    with pytest.raises(Forbidden):
        widgets.create_widget(
            actor=acme.scope("country_admin"),
            unit=acme.units["c2r1"],
            survey=survey,
            name="X",
            allowed_origins=[],
        )
    widgets.set_widget_active(actor=acme.scope("country_admin"), widget=widget, active=False)
    assert AuditEntry.objects.filter(action="widget.deactivate").count() == 1


# --- loader -----------------------------------------------------------------------------


def test_loader_carries_the_rules_and_is_cacheable(client, shop):
    _, _, widget = shop
    answer_ = client.get(f"/w/{widget.key}.js")
    assert answer_.status_code == 200
    assert answer_["Content-Type"].startswith("text/javascript")
    assert "public" in answer_["Cache-Control"] and "max-age=300" in answer_["Cache-Control"]
    body = answer_.content.decode()
    assert f'"key": "{widget.key}"' in body
    assert f'"check": "/w/{widget.key}/check"' in body
    assert '"paths": ["/account/*"]' in body and '"delay": 5' in body
    assert '"sample": 50' in body and '"suppressDays": 90' in body
    assert "localStorage" in body and "Voxloop.show" in body
    assert "<script" not in body  # no third-party code pulled in


def test_loader_escapes_what_admins_typed(client, shop):
    _, survey, widget = shop
    survey.texts = {"title": {"en": "Hi</script><script>alert(1)//"}}
    survey.save(update_fields=["texts"])
    body = client.get(f"/w/{widget.key}.js").content.decode()
    assert "</script>" not in body and "\\u003C/script\\u003E" in body


def test_loader_of_unknown_or_switched_off_widget(client, shop):
    acme, _, widget = shop
    assert client.get("/w/not-a-widget-key-000000.js").status_code == 404
    widgets.set_widget_active(actor=acme.scope("admin"), widget=widget, active=False)
    off = client.get(f"/w/{widget.key}.js")
    assert off.status_code == 200 and "Voxloop" not in off.content.decode()


# --- the check: origins, policy, contacts ------------------------------------------------


def test_check_answers_only_allowed_origins(client, shop):
    _, _, widget = shop
    for origin in ("https://evil.example.com", "https://shop.example.com.evil.test", ""):
        refused = check(client, widget, origin=origin, user_id="U-1")
        assert refused.status_code == 403 and refused.json()["field"] == "origin"
        assert "Access-Control-Allow-Origin" not in refused
    allowed = check(client, widget, origin="https://SHOP.example.com", user_id="U-1")
    assert allowed.status_code == 200
    assert allowed["Access-Control-Allow-Origin"] == SHOP
    assert allowed.json()["show"] is True
    assert allowed.json()["frame"].startswith("/w/f/")
    preflight = client.options(f"/w/{widget.key}/check", HTTP_ORIGIN=SHOP)
    assert preflight.status_code == 204 and preflight["Access-Control-Allow-Origin"] == SHOP
    assert check(client, widget).status_code == 200  # no user id: an anonymous visitor
    unknown = client.post("/w/not-a-widget-key-000000/check", HTTP_ORIGIN=SHOP)
    assert unknown.status_code == 404


def test_bad_input_is_a_400_naming_the_field(client, shop):
    _, _, widget = shop
    cases = [
        ({"user_id": "x" * 101}, "user_id"),
        ({"user_id": "a\x00b"}, "user_id"),
        ({"attributes": "{not json"}, "attributes"),
        ({"attributes": "[1, 2]"}, "attributes"),
        ({"attributes": {"nested": {"a": 1}}}, "attributes"),
        ({"attributes": {f"k{i}": i for i in range(31)}}, "attributes"),
        ({"attributes": {"long": "x" * 501}}, "attributes"),
        ({"attributes": {"": 1}}, "attributes"),
    ]
    for data, field in cases:
        refused = check(client, widget, **data)
        assert refused.status_code == 400, data
        assert refused.json()["field"] == field
    assert not Contact.objects.filter(external_id__startswith="x").exists()


def test_user_id_becomes_a_contact_of_that_org_through_the_contacts_service(client, shop, world):
    acme, _, widget = shop
    add_contact(world.other, "c1r1s1", "U-42")  # the same id in another tenant is another person
    assert check(client, widget, user_id="U-42").json()["show"] is True
    mine = Contact.objects.get(organization_id=acme.root.organization_id, external_id="U-42")
    assert mine.home_unit == acme.units["c1r1"]
    check(client, widget, user_id="U-42")
    assert Contact.objects.filter(external_id="U-42").count() == 2  # one per organisation
    ann = add_contact(acme, "c1r1s1", "ANN", attributes={"tier": "silver"})
    check(client, widget, user_id="ANN")
    ann.refresh_from_db()
    assert ann.home_unit == acme.units["c1r1s1"]  # an existing contact is left as it is


def test_widget_response_has_channel_unit_contact_and_the_pages_attributes(client, shop):
    acme, _, widget = shop
    ann = add_contact(acme, "c1r1s1", "ANN", attributes={"tier": "silver", "plan": "basic"})
    verdict = check(client, widget, user_id="ANN", attributes={"plan": "gold", "cart": 3})
    frame = verdict.json()["frame"]
    page = client.get(frame)
    assert page.status_code == 200 and 'name="nps"' in page.content.decode()
    done = complete(client, frame)
    response = Response.objects.get()
    assert response.is_complete and response.nps == 9 and response.csat == 5
    assert response.channel == "widget"
    assert response.unit == widget.unit and response.unit_path == widget.unit_path
    assert response.contact == ann
    assert response.contact_snapshot["plan"] == "gold" and response.contact_snapshot["cart"] == 3
    assert response.contact_snapshot["tier"] == "silver"  # the contact's own, under the page's
    assert response.source_key.startswith("wdg:")
    thanks = client.get(done["Location"])
    assert thanks.status_code == 200 and "Thank you" in thanks.content.decode()
    # The same panel again: one shown panel is one response, not a second one.
    again = client.get(frame)
    assert Response.objects.count() == 1 and "already" in again.content.decode().lower()


def test_anonymous_visitor_answers_without_a_contact(client, shop):
    _, _, widget = shop
    frame = check(client, widget, attributes={"page": "/account/orders"}).json()["frame"]
    assert next_question(answer(client, frame, "nps", "10")) == "csat"
    response = Response.objects.get()
    assert response.contact is None and response.channel == "widget"
    assert response.contact_snapshot == {"page": "/account/orders"}


def test_answered_recently_is_not_asked_again_until_the_suppression_ends(client, shop):
    acme, _, widget = shop
    complete(client, check(client, widget, user_id="U-7").json()["frame"])
    second = check(client, widget, user_id="U-7").json()
    assert second == {"show": False, "reason": "answered_recently", "frame": ""}
    Response.objects.update(submitted_at=timezone.now() - timedelta(days=91))
    assert check(client, widget, user_id="U-7").json()["show"] is True
    Response.objects.update(submitted_at=timezone.now())
    widgets.update_widget(actor=acme.scope("admin"), widget=widget, suppress_days=0)
    assert check(client, widget, user_id="U-7").json()["show"] is True


def test_outreach_policy_unsubscribed_and_recently_invited_are_not_shown(client, shop):
    acme, survey, widget = shop
    ann = add_contact(acme, "c1r1s1", "ANN")
    bo = add_contact(acme, "c1r1s1", "BO")
    contact_services.unsubscribe(contact_id=ann.pk, organization_id=ann.organization_id)
    assert check(client, widget, user_id="ANN").json()["reason"] == "unsubscribed"
    OutreachPolicy.objects.create(organization=acme.root.organization, min_days_between=14)
    Invitation.objects.create(
        organization_id=bo.organization_id,
        unit_path=bo.unit_path,
        survey=survey,
        contact=bo,
        channel="email",
        status="delivered",
        sent_at=timezone.now() - timedelta(days=3),
    )
    assert check(client, widget, user_id="BO").json()["reason"] == "too_soon"
    Invitation.objects.update(sent_at=timezone.now() - timedelta(days=15))
    assert check(client, widget, user_id="BO").json()["show"] is True


def test_switched_off_widget_or_closed_survey_is_not_shown(client, shop):
    acme, survey, widget = shop
    frame = check(client, widget).json()["frame"]
    widgets.set_widget_active(actor=acme.scope("admin"), widget=widget, active=False)
    assert check(client, widget).json() == {"show": False, "reason": "inactive", "frame": ""}
    assert client.get(frame).status_code == 404  # an open panel's link stops working too
    widgets.set_widget_active(actor=acme.scope("admin"), widget=widget, active=True)
    survey_services.close(actor=acme.scope("admin"), survey=survey)
    assert check(client, widget).json()["reason"] == "survey_closed"


def test_check_is_rate_limited_like_the_other_public_endpoints(client, shop, settings):
    _, _, widget = shop
    settings.SURVEY_SUBMIT_RATE_LIMIT = 2
    assert [check(client, widget).status_code for _ in range(3)] == [200, 200, 429]


# --- framing ----------------------------------------------------------------------------


def test_only_the_widgets_origins_may_frame_its_pages(client, shop):
    _, survey, widget = shop
    frame = check(client, widget, user_id="U-1").json()["frame"]
    page = client.get(frame)
    # The widget's origins only; the rest of the site-wide policy is filled in around them.
    assert f"frame-ancestors {SHOP} http://127.0.0.1:8123;" in page["Content-Security-Policy"] + ";"
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "X-Frame-Options" not in page
    posted = answer(client, frame, "nps", "8")
    assert posted.status_code == 303 and posted["Location"].startswith("/w/f/")
    assert "frame-ancestors" in posted["Content-Security-Policy"]
    follow = client.get(posted["Location"])
    assert follow.status_code == 200 and "frame-ancestors" in follow["Content-Security-Policy"]
    # Every other page still refuses to be framed, the same survey's own link included.
    for path in (f"/s/{survey.public_slug}", "/accounts/login/", f"/w/{widget.key}.js"):
        other = client.get(path)
        assert other.get("X-Frame-Options") == "DENY", path
        assert "frame-ancestors 'none'" in other["Content-Security-Policy"], path


def test_a_forged_or_altered_frame_link_is_refused_and_unframable(client, shop):
    _, _, widget = shop
    frame = check(client, widget, user_id="U-1").json()["frame"]
    token = frame.removeprefix("/w/f/")
    for bad in (token[:-2] + "xx", "nonsense", token.replace(":", "", 1)):
        refused = client.get(f"/w/f/{bad}")
        assert refused.status_code == 404
        assert refused.get("X-Frame-Options") == "DENY"
    assert client.get(f"/w/f/{token}/done").status_code == 303  # nothing answered yet


def test_a_frame_link_never_reaches_another_widgets_survey(client, shop, world):
    _, _, widget = shop
    other = world.other
    foreign = widgets.create_widget(
        actor=other.scope("admin"),
        unit=other.root,
        survey=store_visit_survey(other),
        name="Theirs",
        allowed_origins=["https://other.example.com"],
    )
    frame = check(client, widget, user_id="U-1").json()["frame"]
    answer(client, frame, "nps", "6")
    response = Response.objects.get()
    assert response.organization_id == widget.organization_id
    assert response.survey_id == widget.survey_id
    refused = check(client, foreign, origin=SHOP, user_id="U-1")
    assert refused.status_code == 403


# --- signed user ids ---------------------------------------------------------------------


def test_a_user_id_without_its_hash_or_with_a_wrong_one_is_refused(client, shop):
    acme, _, widget = shop
    add_contact(acme, "c1r1s1", "ANN")
    contacts_before = Contact.objects.count()
    forged = [
        None,  # no hash at all
        "",
        visits.user_hash(widget, "BOB"),  # a real hash, for another user
        "0" * 64,
        "é" * 64,  # not even hex
    ]
    for given in forged:
        refused = check(client, widget, user_id="ANN", user_hash=given)
        assert refused.status_code == 403, given
        assert refused.json()["field"] == "user_hash"
        assert "show" not in refused.json()  # nothing about the contact's outreach state
        assert refused["Access-Control-Allow-Origin"] == SHOP  # the page can read why
    assert Contact.objects.count() == contacts_before  # no contact made for a forged id
    # The hash is HMAC-SHA256 of the id under the widget's secret, as a server computes it.
    expected = hmac.new(widget.identity_secret.encode(), b"ANN", hashlib.sha256).hexdigest()
    assert check(client, widget, user_id="ANN", user_hash=expected.upper()).json()["show"]


def test_one_widgets_hash_does_not_vouch_for_another_widget(client, shop):
    acme, survey, widget = shop
    other = widgets.create_widget(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1"],
        survey=survey,
        name="App",
        allowed_origins=[SHOP],
    )
    assert other.identity_secret != widget.identity_secret
    borrowed = visits.user_hash(widget, "U-1")
    assert check(client, other, user_id="U-1", user_hash=borrowed).status_code == 403
    assert check(client, other, user_id="U-1").status_code == 200


def test_a_new_secret_stops_the_old_hashes_and_is_audited(client, shop):
    acme, _, widget = shop
    old = visits.user_hash(widget, "U-1")
    widgets.rotate_identity_secret(actor=acme.scope("admin"), widget=widget)
    widget.refresh_from_db()
    assert check(client, widget, user_id="U-1", user_hash=old).status_code == 403
    assert check(client, widget, user_id="U-1").status_code == 200  # signed with the new one
    assert AuditEntry.objects.filter(action="widget.rotate_identity_secret").count() == 1
    with pytest.raises(Forbidden):
        widgets.rotate_identity_secret(
            actor=acme.scope("director"), widget=widget
        )  # reads, may not sign
    with pytest.raises(Forbidden):
        widgets.identity_secret(actor=acme.scope("sibling_store"), widget=widget)
