"""Segments: saved filters on attributes, unit, account tier, last response and NPS group."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.surveys.builders import store_visit_survey
from voxloop.contacts import selectors, services
from voxloop.contacts.models import Account, Contact
from voxloop.errors import InvalidInput
from voxloop.responses.services import Submission, submit


@pytest.fixture
def people(world):
    acme = world.acme
    account = services.bulk_add_accounts(
        actor=acme.system,
        accounts=[
            Account(unit=acme.units["c1"], external_id="ACC", name="Big Co", tier="high_touch")
        ],
    )[0]
    add_contact(acme, "c1r1s1", "GOLD", attributes={"tier": "gold", "tenure": 7}, account=account)
    add_contact(acme, "c1r1s2", "SILVER", attributes={"tier": "silver", "tenure": 2})
    add_contact(acme, "c2r1s1", "FAR", attributes={"tier": "gold", "tenure": 9})
    return acme


def members(acme, filters, scope="admin") -> set[str]:
    segment = services.save_segment(
        actor=acme.scope("admin"), unit=acme.root, name="S", filters=filters
    )
    return {c.external_id for c in selectors.segment_members(acme.scope(scope), segment.pk)}


def test_attribute_unit_and_tier_filters(people):
    acme = people
    assert members(acme, [{"field": "attributes.tier", "op": "eq", "value": "gold"}]) == {
        "GOLD",
        "FAR",
    }
    assert members(acme, [{"field": "attributes.tenure", "op": "gte", "value": 5}]) == {
        "GOLD",
        "FAR",
    }
    assert members(acme, [{"field": "unit", "value": "AC1R1"}]) == {"GOLD", "SILVER"}
    assert members(acme, [{"field": "account_tier", "value": "high_touch"}]) == {"GOLD"}
    gold_in_c1 = [{"field": "attributes.tier", "value": "gold"}, {"field": "unit", "value": "AC1"}]
    assert members(acme, gold_in_c1) == {"GOLD"}
    # A company-wide segment used by a store manager: only their own contacts.
    assert members(
        acme, [{"field": "attributes.tier", "op": "in", "value": ["gold", "silver"]}], scope="store"
    ) == {"GOLD"}


def test_last_response_and_nps_group_follow_responses(
    people, django_capture_on_commit_callbacks, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    acme = people
    survey = store_visit_survey(acme)
    gold = Contact.objects.get(external_id="GOLD")
    with django_capture_on_commit_callbacks(execute=True):
        submit(
            submission=Submission(
                survey=survey, answers={"nps": 3, "improve": ["queue"]}, contact=gold
            )
        )
    assert members(acme, [{"field": "nps_group", "value": "detractor"}]) == {"GOLD"}
    assert members(acme, [{"field": "last_response_days", "op": "within", "value": 30}]) == {"GOLD"}
    assert members(acme, [{"field": "last_response_days", "op": "not_within", "value": 30}]) == {
        "SILVER",
        "FAR",
    }
    Contact.objects.filter(pk=gold.pk).update(last_response_at=timezone.now() - timedelta(days=60))
    assert members(acme, [{"field": "last_response_days", "op": "within", "value": 30}]) == set()


@pytest.mark.parametrize(
    ("filters", "field", "text"),
    [
        ([{"field": "attributes.shoe_size", "value": 9}], "filters[0].field", "shoe_size"),
        ([{"field": "colour", "value": "red"}], "filters[0].field", "Unknown filter field"),
        ([{"field": "unit", "value": "NOPE"}], "filters[0].value", "NOPE"),
        ([{"field": "nps_group", "value": "fan"}], "filters[0].value", "promoter"),
        ([{"field": "attributes.tier", "op": "gte", "value": "x"}], "filters[0].value", "numbers"),
        ([{"field": "locale", "op": "within", "value": 3}], "filters[0].op", "does not apply"),
        ("tier=gold", "filters", "list"),
    ],
)
def test_a_filter_that_cannot_mean_anything_is_a_clear_error(people, filters, field, text):
    with pytest.raises(InvalidInput) as refused:
        services.save_segment(
            actor=people.scope("admin"), unit=people.root, name="Bad", filters=filters
        )
    assert refused.value.field == field
    assert text in refused.value.message


def test_segment_api_names_the_bad_filter(people):
    from tests.surveys.api_client import ApiClient

    client = ApiClient(membership=people.members["admin"])
    answer = client.post("/segments", {"name": "X", "filters": [{"field": "attributes.nope"}]})
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "filters[0].field"
    ok = client.post(
        "/segments", {"name": "Gold", "filters": [{"field": "attributes.tier", "value": "gold"}]}
    )
    assert ok.status_code == 201
    listed = client.get("/contacts", segment=ok.json()["id"]).json()
    assert {c["external_id"] for c in listed["items"]} == {"GOLD", "FAR"}
