"""No review gating: a review invitation goes to every respondent or none, never to those who
answered well, unless an admin switches the protection off for the rule (audited, with a
warning naming the rule it breaks)."""

from __future__ import annotations

import pytest

from tests.surveys.builders import store_visit_survey
from tests.webhooks.support import submit
from voxloop.closedloop import evaluation, services
from voxloop.closedloop.models import Notification
from voxloop.contacts.models import Contact
from voxloop.errors import InvalidInput
from voxloop.tenancy.models import AuditEntry

PROMOTERS = {"items": [{"field": "nps_group", "op": "eq", "value": "promoter"}]}


@pytest.fixture
def review_playbook(world):
    return services.create_playbook(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Review",
        kind="review",
        subject="Tell others",
        body="Review {{unit}}: https://example.test/r",
    )


def test_inviting_only_promoters_is_refused_naming_the_rule(world, review_playbook):
    with pytest.raises(InvalidInput) as refused:
        services.create_rule(
            actor=world.acme.scope("admin"),
            unit=world.acme.root,
            name="Promoters",
            conditions=PROMOTERS,
            open_case=False,
            recipients=[],
            review_playbook_id=review_playbook.pk,
        )
    assert "16 CFR 465" in refused.value.message and refused.value.field == "review_playbook_id"
    # Adding the invitation later to a promoters-only rule is refused too.
    rule = services.create_rule(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Promoters",
        conditions=PROMOTERS,
        open_case=False,
        recipients=[],
    )
    with pytest.raises(InvalidInput):
        services.update_rule(
            actor=world.acme.scope("admin"), rule=rule, review_playbook_id=review_playbook.pk
        )


def test_switching_the_protection_off_is_explicit_and_audited(world, review_playbook, client):
    rule = services.create_rule(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Promoters",
        conditions=PROMOTERS,
        open_case=False,
        recipients=[],
        review_playbook_id=review_playbook.pk,
        allow_review_gating=True,
    )
    assert rule.allow_review_gating
    assert AuditEntry.objects.filter(action="alert_rule.create").exists()
    client.force_login(world.acme.user("admin"))
    page = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert "16 CFR 465" in page and "review gating" in page


def test_a_rule_without_conditions_invites_every_respondent(world, review_playbook, smtp_settings):
    services.create_rule(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Invite everyone",
        conditions={},
        open_case=False,
        recipients=[],
        review_playbook_id=review_playbook.pk,
    )
    survey = store_visit_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    for n, answers in enumerate(({"nps": 10}, {"nps": 3, "improve": ["queue"]})):
        contact = Contact.objects.create(
            organization=world.acme.root.organization, home_unit=store, unit_path=store.path,
            external_id=f"C{n}", first_name="Ann", email=f"c{n}@example.test",
        )  # fmt: skip
        response = submit(survey, answers, unit=store, contact=contact)
        assert (
            evaluation.evaluate_response(response_id=response.pk) == []
        )  # no case, only the invitation
    invited = set(Notification.objects.values_list("recipient", flat=True))
    assert invited == {"c0@example.test", "c1@example.test"}  # the detractor too


def test_following_the_invitation_is_counted_once_and_leads_to_the_stores_page(
    world, review_playbook, smtp_settings, client
):
    from tests.reviews.support import make_source
    from voxloop.closedloop.messages import review_link
    from voxloop.reviews.models import InvitationFollowed

    source = make_source(world.acme, "file")
    from voxloop.reviews import services as review_services

    review_services.set_location(
        scope=world.acme.scope("admin"), source=source, external_id="r1",
        unit=world.acme.units["c1r1"], public_url="https://g.page/r/region-review",
    )  # fmt: skip
    survey = store_visit_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    response = submit(survey, {"nps": 4, "improve": ["queue"]}, unit=store)
    link = review_link(response, store)
    path = link.split("testserver", 1)[-1] if "testserver" in link else "/" + link.split("/", 3)[3]
    assert path.startswith("/reviews/go/")
    first = client.get(path)
    assert first.status_code == 302 and first["Location"] == "https://g.page/r/region-review"
    client.get(path)
    assert InvitationFollowed.objects.filter(response_id=response.pk).count() == 1
    assert client.get(path[:-5] + "xxxx/").status_code == 404  # a forged link
    client.force_login(world.acme.user("regional"))
    figures = client.get("/reviews/").content.decode()
    assert "Respondents who followed a review invitation" in figures
