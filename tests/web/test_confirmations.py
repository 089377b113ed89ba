"""Every destructive or irreversible staff action asks first: a POST without the confirmation
changes nothing and answers with a page that says what will happen, in numbers; the same
POST with the confirmation does it. (Bulk-closing cases: tests/closedloop/test_resolve.py.)"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.closedloop.support import submit
from tests.contacts.helpers import add_contact
from tests.factories import YES
from tests.ideas.support import employee_board, member
from tests.surveys.builders import store_visit_survey
from voxloop.accounts import services as account_services
from voxloop.accounts.models import ApiToken
from voxloop.analytics import services as analytics_services
from voxloop.analytics.models import SavedView
from voxloop.closedloop import evaluation
from voxloop.closedloop import services as closedloop_services
from voxloop.closedloop.models import AlertRule
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Contact, InteractionType
from voxloop.distribution import services
from voxloop.distribution.models import Campaign, Widget
from voxloop.distribution.widget import services as widgets
from voxloop.ideas import services as idea_services
from voxloop.ideas.models import Idea
from voxloop.responses import kiosks
from voxloop.responses.models import Kiosk
from voxloop.surveys.models import Question, Survey
from voxloop.tenancy.models import Membership


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def asked(answer, *phrases: str) -> str:
    text = answer.content.decode()
    assert answer.status_code == 200, text[:300]
    assert 'data-testid="confirm"' in text and 'name="confirmed" value="yes"' in text
    for phrase in phrases:
        assert phrase in text, phrase
    return text


@pytest.fixture
def survey(world):
    return store_visit_survey(world.acme)


@pytest.fixture
def admin(world) -> Client:
    return signed_in(world.acme.user("admin"))


def test_deleting_a_question_of_a_live_survey_says_how_many_answers_stay(world, survey, admin):
    for score in (2, 4, 9):
        submit(survey, {"nps": score, "improve": ["queue"]}, unit=world.acme.units["c1r1s1"])
    url = f"/surveys/{survey.pk}/questions/improve/delete/"
    asked(
        admin.post(url),
        "2 responses keep their answers to it; the question disappears from new responses.",
        "The survey is live",
    )
    assert Question.objects.filter(survey=survey, key="improve").exists()
    admin.post(url, YES)
    assert not Question.objects.filter(survey=survey, key="improve").exists()


def test_closing_a_survey(world, survey, admin):
    submit(survey, {"nps": 9}, unit=world.acme.units["c1r1s1"])
    asked(admin.post(f"/surveys/{survey.pk}/close/"), "Its 1 response stays")
    assert Survey.objects.get(pk=survey.pk).status == "live"
    admin.post(f"/surveys/{survey.pk}/close/", YES)
    assert Survey.objects.get(pk=survey.pk).status == "closed"


@pytest.fixture
def campaign(world, survey):
    for n in range(3):
        add_contact(world.acme, "c1r1s1", f"C{n}")
    add_contact(world.acme, "c2r1s1", "FAR")  # outside the campaign's region
    return services.create_campaign(
        actor=world.acme.system,
        unit=world.acme.units["c1r1"],
        survey=survey,
        segment=None,
        name="Pulse",
        channel="email",
    )


def test_launching_a_campaign_shows_its_audience_size(world, campaign, admin):
    url = f"/outreach/campaigns/{campaign.pk}/launch/"
    asked(admin.post(url), "Launch to 3 contacts", "3 contacts are invited to “Store visit”")
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
    admin.post(url, YES)
    assert Campaign.objects.get(pk=campaign.pk).status != "draft"


def test_cancelling_a_campaign(world, campaign, admin):
    url = f"/outreach/campaigns/{campaign.pk}/cancel/"
    asked(admin.post(url), "cannot be launched again")
    assert Campaign.objects.get(pk=campaign.pk).status == "draft"
    admin.post(url, YES)
    assert Campaign.objects.get(pk=campaign.pk).status == "cancelled"


def test_pausing_needs_no_confirmation_it_can_be_undone(world, campaign, admin):
    services.launch(actor=world.acme.system, campaign=campaign)
    admin.post(f"/outreach/campaigns/{campaign.pk}/pause/")
    assert Campaign.objects.get(pk=campaign.pk).status == "paused"


def test_deleting_an_alert_rule_says_its_cases_stay(world, survey, admin):
    rule = closedloop_services.create_rule(
        actor=world.acme.scope("admin"), unit=world.acme.root, name="Detractor",
        survey_ids=[survey.pk],
        conditions={"match": "all", "items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[],
    )  # fmt: skip
    response = submit(survey, {"nps": 2, "improve": ["queue"]}, unit=world.acme.units["c1r1s1"])
    evaluation.evaluate_response(response_id=response.pk)
    asked(admin.post(f"/cases/rules/{rule.pk}/delete/"), "The 1 case it opened stays")
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    admin.post(f"/cases/rules/{rule.pk}/delete/", YES)
    assert not AlertRule.objects.filter(pk=rule.pk).exists()


def test_revoking_a_kiosk(world, admin):
    kiosk, _secret = kiosks.register(
        actor=world.acme.system, unit=world.acme.units["c1r1s1"], name="Till", channel="kiosk"
    )
    asked(admin.post(f"/outreach/kiosks/{kiosk.pk}/revoke/"), "“Till” stops sending answers")
    assert Kiosk.objects.get(pk=kiosk.pk).revoked_at is None
    admin.post(f"/outreach/kiosks/{kiosk.pk}/revoke/", YES)
    assert Kiosk.objects.get(pk=kiosk.pk).revoked_at is not None


def test_renewing_a_widget_secret(world, survey, admin):
    widget = widgets.create_widget(
        actor=world.acme.system,
        unit=world.acme.units["c1r1"],
        survey=survey,
        name="Shop",
        allowed_origins=[],
    )
    before = Widget.objects.get(pk=widget.pk).identity_secret
    asked(admin.post(f"/outreach/widgets/{widget.pk}/rotate-secret/"), "stops working at once")
    assert Widget.objects.get(pk=widget.pk).identity_secret == before
    admin.post(f"/outreach/widgets/{widget.pk}/rotate-secret/", YES)
    assert Widget.objects.get(pk=widget.pk).identity_secret != before


def test_deleting_an_interaction_type(world, admin):
    kind = contact_services.define_interaction_type(
        actor=world.acme.system, unit=world.acme.units["c1r1"], key="visit", name="Visit"
    )
    url = f"/contacts/interaction-types/{kind.pk}/delete/"
    asked(admin.post(url), "Archiving instead keeps its history")
    assert InteractionType.objects.filter(pk=kind.pk).exists()
    admin.post(url, YES)
    assert not InteractionType.objects.filter(pk=kind.pk).exists()


def test_erasing_a_contact_needs_the_confirmation(world, admin):
    ann = add_contact(world.acme, "c1r1s1", "ANN")
    answer = admin.post(f"/contacts/{ann.pk}/erase/")
    assert answer.status_code == 200 and "This cannot be undone." in answer.content.decode()
    assert Contact.objects.get(pk=ann.pk).erased_at is None
    admin.post(f"/contacts/{ann.pk}/erase/", YES)
    assert Contact.objects.get(pk=ann.pk).erased_at is not None


def test_deleting_a_saved_view(world):
    store = world.acme.scope("store")
    view = analytics_services.save_view(actor=store, name="Mine", query="period=7d")
    client = signed_in(world.acme.user("store"))
    asked(client.post(f"/analytics/views/{view.pk}/delete/"), "no figure or answer changes")
    assert SavedView.objects.filter(pk=view.pk).exists()
    client.post(f"/analytics/views/{view.pk}/delete/", YES)
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_revoking_someones_access(world, admin):
    membership = world.acme.members["sibling_store"]
    url = f"/people/{membership.pk}/revoke/"
    asked(admin.post(url), "can no longer sign in to Store 1.1.2 as Manager")
    assert Membership.objects.filter(pk=membership.pk).exists()
    admin.post(url, YES)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_revoking_an_api_token(world):
    issued = account_services.create_token(membership=world.acme.members["store"], name="Script")
    client = signed_in(world.acme.user("store"))
    url = f"/accounts/tokens/{issued.token.pk}/revoke/"
    asked(client.post(url), "Revoke the API token “Script”?")
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None
    client.post(url, YES)
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None


def test_merging_and_declining_ideas_say_what_moves_and_who_is_told(world, admin):
    board = employee_board(world.acme)
    into = idea_services.post_idea(board=board, author=member(world.acme, "store"), title="Seats")
    dup = idea_services.post_idea(board=board, author=member(world.acme, "agent"), title="Stools")
    idea_services.vote(idea=dup, voter=member(world.acme, "viewer"))
    url = f"/ideas/i/{dup.pk}/merge/"
    asked(
        admin.post(url, {"into": into.pk}),
        f"Idea #{dup.pk}&#x27;s 2 votes and 2 followers move to #{into.pk}; "
        f"#{dup.pk} becomes &#x27;merged&#x27;.",
    )
    assert Idea.objects.get(pk=dup.pk).status == "new"
    admin.post(url, {"into": into.pk, **YES})
    assert Idea.objects.get(pk=dup.pk).status == "merged"
    url = f"/ideas/i/{into.pk}/status/"
    decline = {"status": "declined", "reason": "No room"}
    asked(admin.post(url, decline), "Its 3 followers are emailed the reason.")
    assert Idea.objects.get(pk=into.pk).status == "new"
    admin.post(url, {**decline, **YES})
    assert Idea.objects.get(pk=into.pk).status == "declined"
