"""One condition tree for segments and alert rules: nested AND/OR groups, checked on the
server with the part at fault named, a live count, and the builder's page config."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.test import Client

from tests.contacts.helpers import add_contact
from voxloop import conditions
from voxloop.closedloop import conditions as rule_conditions
from voxloop.contacts import selectors, services
from voxloop.errors import InvalidInput

TIER_GOLD = {"field": "attributes.tier", "op": "eq", "value": "gold"}
RO_OR_FREQUENT = {
    "match": "any",
    "items": [
        {"field": "locale", "op": "in", "value": ["ro"]},
        {"field": "attributes.visits", "op": "gte", "value": 3},
    ],
}


@pytest.fixture
def people(world):
    rows = [("gold", "en", 0), ("gold", "ro", 1), ("silver", "ro", 2), ("gold", "ja", 3)]
    for i, (tier, locale, visits) in enumerate(rows):
        attributes = {"tier": tier, "visits": visits, "city": "Cluj"}
        add_contact(world.acme, "c1r1s1", f"P{i}", attributes=attributes, locale=locale)
    return world.acme


def test_two_and_conditions_and_an_or_group(people):
    tree = {"match": "all", "items": [TIER_GOLD, {"field": "attributes.city", "op": "eq",
                                                  "value": "Cluj"}, RO_OR_FREQUENT]}  # fmt: skip
    segment = services.save_segment(
        actor=people.scope("admin"), unit=people.root, name="Gold", filters=tree
    )
    members = {c.external_id for c in selectors.segment_members(people.scope("admin"), segment.pk)}
    assert members == {"P1", "P3"}
    assert segment.filters["items"][2]["match"] == "any"


def test_a_flat_list_still_means_all_of_them(people):
    segment = services.save_segment(
        actor=people.scope("admin"), unit=people.root, name="Gold", filters=[TIER_GOLD]
    )
    assert segment.filters == {"match": "all", "items": [TIER_GOLD]}


@pytest.mark.parametrize(
    ("tree", "field"),
    [
        ({"match": "either", "items": []}, "filters.match"),
        ({"match": "all", "items": [{"field": "colour", "value": 1}]}, "filters.items.0.field"),
        ({"match": "all", "items": [{"match": "any", "items": []}]}, "filters.items.0"),
        ({"match": "all", "items": "x"}, "filters.items"),
    ],
)
def test_a_bad_tree_names_the_part_at_fault(people, tree, field):
    with pytest.raises(InvalidInput) as refused:
        services.save_segment(
            actor=people.scope("admin"), unit=people.root, name="Bad", filters=tree
        )
    assert refused.value.field == field


def test_groups_nest_only_so_deep():
    deep = {"match": "all", "items": [TIER_GOLD]}
    for _ in range(conditions.MAX_DEPTH):
        deep = {"match": "any", "items": [deep]}
    with pytest.raises(InvalidInput, match="nest at most"):
        conditions.clean_tree(deep, lambda item, where: item, field="f")


def test_the_live_count_and_its_errors(people, world):
    client = Client()
    client.force_login(world.acme.user("admin"))
    tree = {"match": "all", "items": [TIER_GOLD, RO_OR_FREQUENT]}
    answer = client.get("/contacts/segments/count/", {"conditions": json.dumps(tree)})
    assert answer.json() == {"count": 2, "text": "2 contacts match."}
    bad = client.get("/contacts/segments/count/", {"conditions": '{"match": "x", "items": []}'})
    assert bad.status_code == 400 and bad.json()["field"] == "filters.match"
    assert client.get("/contacts/segments/count/", {"conditions": "{"}).status_code == 400
    # Another organisation's admin counts their own contacts: none of ours.
    other = Client()
    other.force_login(world.other.user("admin"))
    empty = {"match": "all", "items": []}
    assert (
        other.get("/contacts/segments/count/", {"conditions": json.dumps(empty)}).json()["count"]
        == 0
    )


def test_the_segment_page_builds_instead_of_json(people, world):
    client = Client()
    client.force_login(world.acme.user("admin"))
    page = client.get("/contacts/segments/").content.decode()
    assert 'data-condition-builder="segment-builder"' in page
    assert 'id="segment-builder" type="application/json"' in page and "tier (attribute)" in page
    tree = {"match": "all", "items": [TIER_GOLD, RO_OR_FREQUENT]}
    assert (
        client.post(
            "/contacts/segments/new/", {"name": "Gold", "filters": json.dumps(tree)}
        ).status_code
        == 302
    )
    listed = client.get("/contacts/segments/").content.decode()
    assert "tier (attribute) is gold and (Language is one of Română or visits" in listed


def test_the_api_takes_a_tree(people, world):
    client = Client()
    client.force_login(world.acme.user("admin"))
    tree = {"match": "all", "items": [TIER_GOLD, RO_OR_FREQUENT]}
    made = client.post(
        "/api/v1/segments", {"name": "Gold", "filters": tree}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["filters"]["items"][1]["match"] == "any"
    bad = client.post(
        "/api/v1/segments",
        {"name": "Bad", "filters": {"match": "all", "items": [{"field": "nope"}]}},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "filters.items.0.field"


def test_alert_rules_take_groups_too():
    rule = rule_conditions.clean_conditions(
        {"match": "all", "items": [
            {"field": "nps", "op": "lte", "value": 6},
            {"match": "any", "items": [
                {"field": "comment", "op": "contains_any", "value": ["queue"]},
                {"field": "csat", "op": "lte", "value": 2},
            ]},
        ]}
    )  # fmt: skip
    response = SimpleNamespace(nps=4, csat=5, ces=None, nps_group="detractor", answers={})
    assert not rule_conditions.matches(rule, response)
    response.answers = {"comment": "The queue was long"}
    assert rule_conditions.matches(rule, response)
    response.nps = 9
    assert not rule_conditions.matches(rule, response)
    with pytest.raises(InvalidInput) as refused:
        rule_conditions.clean_conditions({"items": [{"match": "any", "items": [{"field": "x"}]}]})
    assert refused.value.field == "conditions.items.0.items.0.field"
