"""The Django admin's erasure action asks first and says what will happen; it erases only for
an admin of the whole organisation, like the API and the page. The privacy settings are
saved through the service (checked, audited)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.contacts.helpers import add_contact
from tests.privacy.support import built_once
from tests.tenancy.test_admin import staffify
from voxloop.contacts.models import Contact
from voxloop.privacy.models import PrivacyPolicy
from voxloop.tenancy.models import AuditEntry

CHANGELIST = "/admin/contacts/contact/"
built = built_once(lambda world: None)


@pytest.fixture
def ann(world):
    return add_contact(world.acme, "c1r1s1", "ANN", last_name="Andersen")


def _staff_client(world, who: str) -> Client:
    client = Client()
    org = world.other if who == "other_admin" else world.acme
    client.force_login(staffify(org.members["admin" if who == "other_admin" else who].user))
    return client


def _erase(client, contact_id: int, confirmed: bool):
    data = {"action": "erase_contacts", "_selected_action": [contact_id]}
    if confirmed:
        data["confirmed"] = "yes"
    return client.post(CHANGELIST, data, follow=confirmed)


def test_the_action_asks_first_then_erases(world, ann):
    client = _staff_client(world, "admin")
    asked = _erase(client, ann.pk, confirmed=False)
    page = asked.content.decode()
    assert asked.status_code == 200 and "cannot be undone" in page and "Andersen" in page
    assert Contact.objects.get(pk=ann.pk).erased_at is None
    done = _erase(client, ann.pk, confirmed=True)
    assert "1 person erased." in done.content.decode()
    assert Contact.objects.get(pk=ann.pk).erased_at is not None
    assert AuditEntry.objects.filter(action="contact.erase", target_id=str(ann.pk)).exists()
    assert ann.pk not in [c.pk for c in done.context["cl"].queryset]  # nobody to show


def test_an_admin_lower_down_cannot_erase_and_another_tenant_cannot_see(world, ann):
    refused = _erase(_staff_client(world, "country_admin"), ann.pk, confirmed=True)
    assert (
        "whole organisation" in refused.content.decode() or "top unit" in refused.content.decode()
    )
    assert Contact.objects.get(pk=ann.pk).erased_at is None
    foreign = _staff_client(world, "other_admin").get(CHANGELIST)
    assert ann.pk not in [c.pk for c in foreign.context["cl"].queryset]
    _erase(_staff_client(world, "other_admin"), ann.pk, confirmed=True)
    assert Contact.objects.get(pk=ann.pk).erased_at is None


def test_the_policy_is_saved_through_the_service(world):
    org_id = world.acme.root.organization_id
    data = {"organization": org_id, "response_days": "400", "comment_days": "", "contact_days": ""}
    data["audit_days"] = ""
    saved = _staff_client(world, "admin").post("/admin/privacy/privacypolicy/add/", data)
    assert saved.status_code == 302
    assert PrivacyPolicy.objects.get(organization_id=org_id).response_days == 400
    assert AuditEntry.objects.filter(action="privacy.policy", actor_label="a-admin").exists()
    data["response_days"] = "40"
    policy = PrivacyPolicy.objects.get(organization_id=org_id)
    path = f"/admin/privacy/privacypolicy/{policy.pk}/change/"
    _staff_client(world, "country_admin").post(path, data, follow=True)
    assert PrivacyPolicy.objects.get(organization_id=org_id).response_days == 400


def test_the_response_admin_masks_what_respondents_wrote_for_everyone_but_admins(world):
    from tests.surveys.builders import store_visit_survey
    from voxloop.responses.services import Submission, submit

    response = submit(
        submission=Submission(
            survey=store_visit_survey(world.acme),
            answers={"nps": 9, "comment": "call 0722 123 456"},
            unit=world.acme.units["c1r1s1"],
        )
    ).response
    path = f"/admin/responses/response/{response.pk}/change/"
    seen = {who: _staff_client(world, who).get(path).content.decode() for who in ("admin", "store")}
    assert "0722 123 456" in seen["admin"]
    assert "0722 123 456" not in seen["store"] and "[phone]" in seen["store"]
