"""Survey cadence per tier (decision 0041): a segment's own gap, cap and way of asking; the
strictest rule for a contact in several; the account owner as the personal sender; and no
segment of another organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.surveys.api_client import as_member
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Account, Contact
from voxloop.distribution import services
from voxloop.distribution.delivery import followups
from voxloop.distribution.delivery.policy import Cadence, strictest
from voxloop.distribution.models import Invitation, OutreachPolicy, SegmentRule
from voxloop.errors import Forbidden, NotFound
from voxloop.tenancy.models import AuditEntry

HIGH = [{"field": "account_tier", "op": "eq", "value": "high_touch"}]
LOW = [{"field": "account_tier", "op": "eq", "value": "low_touch"}]
BUYERS = [{"field": "attributes.role", "op": "eq", "value": "buyer"}]


def segment(org, name, filters):
    return contact_services.save_segment(
        actor=org.system, unit=org.root, name=name, filters=filters
    )


def launch(acme, survey, name, capture, **fields):
    campaign = services.create_campaign(
        actor=acme.scope("admin"),
        unit=acme.units["c1r1"],
        survey=survey,
        segment=None,
        name=name,
        channel="email",
        **fields,
    )
    with capture(execute=True):
        services.launch(actor=acme.scope("admin"), campaign=campaign)


def outcomes(name: str) -> dict[str, str]:
    rows = Invitation.objects.filter(campaign__name=name)
    return dict(rows.values_list("contact__external_id", "skip_reason"))


def age_sends(days: int) -> None:
    Invitation.objects.filter(sent_at__isnull=False).update(
        sent_at=timezone.now() - timedelta(days=days)
    )


def book(org) -> None:
    """Account T-mine (high-touch, c1r1s1, the store manager's) and T-next (low-touch, c1r1s2,
    the sibling store manager's), with a buyer and a user each."""
    rows = [
        Account(unit=org.units["c1r1s1"], external_id="T-mine", name="Mine Ltd",
                tier="high_touch", owner=org.user("store")),
        Account(unit=org.units["c1r1s2"], external_id="T-next", name="Next Ltd",
                tier="low_touch", owner=org.user("sibling_store")),
    ]  # fmt: skip
    accounts = contact_services.bulk_add_accounts(actor=org.system, accounts=rows)
    people = [
        Contact(home_unit=account.unit, account=account, external_id=f"{account.external_id}-{n}",
                email=f"t{account.external_id[2:].lower()}{n}@example.test",
                attributes={"role": "buyer" if n == 1 else "user"})
        for account in accounts
        for n in (1, 2)
    ]  # fmt: skip
    contact_services.bulk_add_contacts(actor=org.system, contacts=people)


@pytest.fixture
def tiers(outreach):
    acme, survey, _people = outreach
    book(acme)
    return acme, survey, None, segment(acme, "High", HIGH), segment(acme, "Low", LOW)


def test_a_high_touch_contact_waits_for_its_tiers_gap_while_a_low_touch_one_is_asked(
    tiers, queue, smtp_settings, django_capture_on_commit_callbacks
):
    acme, survey, _book, high, low = tiers
    admin = acme.scope("admin")
    services.set_segment_rule(actor=admin, segment_id=high.pk, min_days_between=60,
                              max_per_90_days=4)  # fmt: skip
    services.set_segment_rule(actor=admin, segment_id=low.pk, min_days_between=7,
                              max_per_90_days=4)  # fmt: skip
    launch(acme, survey, "First", django_capture_on_commit_callbacks)
    queue.run()
    assert set(outcomes("First").values()) == {""}
    age_sends(20)
    launch(acme, survey, "Second", django_capture_on_commit_callbacks)
    queue.run()
    second = outcomes("Second")
    assert second["T-mine-1"] == second["T-mine-2"] == "too_soon"  # high-touch: 60 days
    assert second["T-next-1"] == second["T-next-2"] == ""  # low-touch: 7 days
    assert second["ANN"] == second["CY"] == ""  # no tier: the organisation's policy (0 days)


def test_the_strictest_rule_wins_for_a_contact_in_several_segments(
    tiers, queue, smtp_settings, django_capture_on_commit_callbacks
):
    acme, survey, _book, _high, low = tiers
    admin = acme.scope("admin")
    buyers = segment(acme, "Buyers", BUYERS)
    services.set_segment_rule(actor=admin, segment_id=low.pk, min_days_between=7,
                              max_per_90_days=4)  # fmt: skip
    services.set_segment_rule(actor=admin, segment_id=buyers.pk, min_days_between=3,
                              max_per_90_days=1)  # fmt: skip
    launch(acme, survey, "First", django_capture_on_commit_callbacks)
    queue.run()
    age_sends(5)
    launch(acme, survey, "Second", django_capture_on_commit_callbacks)
    queue.run()
    second = outcomes("Second")
    assert second["T-next-1"] == "too_soon"  # low-touch's 7 days beat the buyers' 3
    assert second["T-next-2"] == "too_soon"
    assert second["T-mine-2"] == ""  # in no segment with a rule
    Invitation.objects.filter(campaign__name="Second").delete()
    age_sends(10)
    launch(acme, survey, "Third", django_capture_on_commit_callbacks)
    queue.run()
    third = outcomes("Third")
    assert third["T-next-1"] == "too_many"  # the buyers' one a quarter beats low-touch's 4
    assert third["T-next-2"] == ""
    rule = SegmentRule(min_days_between=1, max_per_90_days=9, ask_by="owner")
    assert strictest(Cadence(5, 2), rule) == Cadence(5, 2, personal=True)


def test_a_personal_email_comes_from_the_account_owner_or_else_is_automated(
    tiers, queue, smtp_settings, django_capture_on_commit_callbacks
):
    acme, survey, _book, high, low = tiers
    admin = acme.scope("admin")
    for found in (high, low):
        services.set_segment_rule(actor=admin, segment_id=found.pk, min_days_between=0,
                                  max_per_90_days=9, ask_by="owner")  # fmt: skip
    Account.objects.filter(external_id="T-next").update(owner=None)
    launch(acme, survey, "First", django_capture_on_commit_callbacks, reminders=1,
           reminder_after_days=1)  # fmt: skip
    queue.run()
    by_to = {d.recipients[0]: d.message for d in smtp_settings.messages}
    owner = acme.user("store")
    mine = by_to["tmine1@example.test"]
    assert owner.email in mine["From"] and mine["Reply-To"] == owner.email
    unowned = by_to["tnext1@example.test"]
    assert owner.email not in unowned["From"] and "Reply-To" not in unowned
    assert owner.email not in by_to["ann@example.test"]["From"]
    first = len(smtp_settings.messages)
    assert followups.run(timezone.now() + timedelta(days=2))["reminded"] == first
    reminders = {d.recipients[0]: d.message for d in smtp_settings.messages[first:]}
    assert owner.email in reminders["tmine1@example.test"]["From"]  # the reminder too
    assert owner.email not in reminders["tnext1@example.test"]["From"]


def test_rules_refuse_another_organisations_segment_and_non_company_admins(tiers, world):
    acme, _survey, _book, high, _low = tiers
    theirs = segment(world.other, "Theirs", HIGH)
    with pytest.raises(NotFound):
        services.set_segment_rule(actor=acme.scope("admin"), segment_id=theirs.pk,
                                  min_days_between=9, max_per_90_days=1)  # fmt: skip
    with pytest.raises(Forbidden):
        services.set_segment_rule(actor=acme.scope("country_admin"), segment_id=high.pk,
                                  min_days_between=9, max_per_90_days=1)  # fmt: skip
    api = as_member(acme, "admin")
    body = {"segment_rules": [{"segment_id": theirs.pk, "min_days_between": 9,
                               "max_per_90_days": 1}]}  # fmt: skip
    assert api.patch("/outreach/policy", body).status_code == 404
    assert not SegmentRule.objects.exists()


def test_the_policy_endpoint_sets_lists_and_replaces_the_rules_with_an_audit_trail(tiers):
    acme, _survey, _book, high, low = tiers
    api = as_member(acme, "admin")
    body = {"segment_rules": [
        {"segment_id": high.pk, "min_days_between": 45, "max_per_90_days": 2, "ask_by": "owner"},
        {"segment_id": low.pk, "min_days_between": 14, "max_per_90_days": 4},
    ]}  # fmt: skip
    response = api.patch("/outreach/policy", body)
    assert response.status_code == 200, response.content
    rules = {r["segment_name"]: r for r in api.get("/outreach/policy").json()["segment_rules"]}
    assert rules["High"]["ask_by"] == "owner" and rules["Low"]["min_days_between"] == 14
    response = api.patch("/outreach/policy", {"segment_rules": [body["segment_rules"][1]]})
    assert [r["segment_name"] for r in response.json()["segment_rules"]] == ["Low"]
    bad = {"segment_rules": [{"segment_id": low.pk, "min_days_between": 7,
                              "max_per_90_days": 4, "ask_by": "pigeon"}]}  # fmt: skip
    assert api.patch("/outreach/policy", bad).status_code in (400, 422)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "outreach_policy.segment_rule.create",
        "outreach_policy.segment_rule.update",
        "outreach_policy.segment_rule.delete",
    } <= actions


def test_the_policy_admin_page_sets_a_rule_through_the_service(tiers, client, world):
    acme, _survey, _book, high, _low = tiers
    theirs = segment(world.other, "Theirs", HIGH)
    user = acme.user("admin")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client.force_login(user)
    policy = OutreachPolicy.objects.get(organization=acme.root.organization)
    url = f"/admin/distribution/outreachpolicy/{policy.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    choices = {c[0].value for c in page.context["inline_admin_formsets"][0].formset.forms[0]
               .fields["segment"].choices if c[0]}  # fmt: skip
    assert high.pk in choices and theirs.pk not in choices
    assert "the strictest rule wins" in page.content.decode()
    form = {
        "min_days_between": 0, "max_per_90_days": 100, "quiet_start_hour": 0,
        "quiet_end_hour": 0, "rules-TOTAL_FORMS": 1, "rules-INITIAL_FORMS": 0,
        "rules-MIN_NUM_FORMS": 0, "rules-MAX_NUM_FORMS": 1000, "rules-0-segment": high.pk,
        "rules-0-min_days_between": 30, "rules-0-max_per_90_days": 2,
        "rules-0-ask_by": "owner", "rules-0-policy": policy.pk,
    }  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302, response.content[:2000]
    rule = SegmentRule.objects.get(segment=high)
    assert (rule.min_days_between, rule.ask_by) == (30, "owner")
    entry = AuditEntry.objects.get(action="outreach_policy.segment_rule.create")
    assert entry.actor_id == user.pk
    form["rules-0-segment"] = theirs.pk
    refused = client.post(url, form)
    assert refused.status_code == 200 and SegmentRule.objects.count() == 1
