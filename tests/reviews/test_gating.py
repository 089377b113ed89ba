"""No review gating: a review invitation goes to every respondent or none, never to those who
answered well, unless an admin switches the protection off for the rule (audited, with a
warning naming the rule it breaks)."""

from __future__ import annotations

import pytest

from tests.surveys.builders import store_visit_survey
from tests.webhooks.conftest import submit
from voxloop.closedloop import evaluation, services
from voxloop.closedloop.models import Notification
from voxloop.contacts.models import Contact
from voxloop.errors import InvalidInput
from voxloop.tenancy.models import AuditEntry

PROMOTERS = {"items": [{"field": "nps_group", "op": "eq", "value": "promoter"}]}


@pytest.fixture
def review_playbook(world):
    return services.create_playbook(
        world.acme.scope("admin"), world.acme.root, name="Review", kind="review",
        subject="Tell others", body="Review {{unit}}: https://example.test/r",
    )  # fmt: skip


def test_inviting_only_promoters_is_refused_naming_the_rule(world, review_playbook):
    with pytest.raises(InvalidInput) as refused:
        services.create_rule(
            world.acme.scope("admin"), world.acme.root, name="Promoters", conditions=PROMOTERS,
            open_case=False, recipients=[], review_playbook_id=review_playbook.pk,
        )  # fmt: skip
    assert "16 CFR 465" in refused.value.message and refused.value.field == "review_playbook_id"
    # Adding the invitation later to a promoters-only rule is refused too.
    rule = services.create_rule(
        world.acme.scope("admin"), world.acme.root, name="Promoters", conditions=PROMOTERS,
        open_case=False, recipients=[],
    )  # fmt: skip
    with pytest.raises(InvalidInput):
        services.update_rule(world.acme.scope("admin"), rule, review_playbook_id=review_playbook.pk)


def test_switching_the_protection_off_is_explicit_and_audited(world, review_playbook, client):
    rule = services.create_rule(
        world.acme.scope("admin"), world.acme.root, name="Promoters", conditions=PROMOTERS,
        open_case=False, recipients=[], review_playbook_id=review_playbook.pk,
        allow_review_gating=True,
    )  # fmt: skip
    assert rule.allow_review_gating
    assert AuditEntry.objects.filter(action="alert_rule.create").exists()
    client.force_login(world.acme.user("admin"))
    page = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert "16 CFR 465" in page and "review gating" in page


def test_a_rule_without_conditions_invites_every_respondent(world, review_playbook, smtp_settings):
    services.create_rule(
        world.acme.scope("admin"), world.acme.root, name="Invite everyone", conditions={},
        open_case=False, recipients=[], review_playbook_id=review_playbook.pk,
    )  # fmt: skip
    survey = store_visit_survey(world.acme)
    store = world.acme.units["c1r1s1"]
    for n, answers in enumerate(({"nps": 10}, {"nps": 3, "improve": ["queue"]})):
        contact = Contact.objects.create(
            organization=world.acme.root.organization, home_unit=store, unit_path=store.path,
            external_id=f"C{n}", first_name="Ann", email=f"c{n}@example.test",
        )  # fmt: skip
        response = submit(survey, answers, unit=store, contact=contact)
        assert evaluation.evaluate_response(response.pk) == []  # no case, only the invitation
    invited = set(Notification.objects.values_list("recipient", flat=True))
    assert invited == {"c0@example.test", "c1@example.test"}  # the detractor too
