"""Trigger filters are the shared condition tree: AND/OR groups over the event's channel and
attributes, checked with the part at fault named; the older mapping still means all equal."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from voxloop.distribution.campaigns import triggers
from voxloop.errors import InvalidInput


def event(channel="phone", **attributes):
    return SimpleNamespace(unit_path="0001", channel=channel, attributes=attributes)


def trigger(filters):
    return SimpleNamespace(unit_path="0001", filters=triggers.clean_filters(filters))


def test_groups_and_operators():
    billing_or_vip = trigger({"match": "all", "items": [
        {"field": "channel", "op": "ne", "value": "chat"},
        {"match": "any", "items": [
            {"field": "attributes.queue", "op": "eq", "value": "billing"},
            {"field": "attributes.tier", "op": "contains", "value": "vip"},
        ]},
    ]})  # fmt: skip
    assert triggers._matches(billing_or_vip, event(queue="billing"))
    assert triggers._matches(billing_or_vip, event(queue="sales", tier="VIP gold"))
    assert not triggers._matches(billing_or_vip, event(queue="sales", tier="basic"))
    assert not triggers._matches(billing_or_vip, event("chat", queue="billing"))


def test_the_older_mapping_and_an_empty_filter():
    assert triggers.clean_filters({"attributes.queue": "billing"}) == {
        "match": "all",
        "items": [{"field": "attributes.queue", "op": "eq", "value": "billing"}],
    }
    assert triggers._matches(trigger({}), event())


@pytest.mark.parametrize(
    ("filters", "field"),
    [
        ({"match": "all", "items": [{"field": "queue", "value": "x"}]}, "filters.items.0.field"),
        ({"match": "all", "items": [{"field": "channel", "op": "gt", "value": 1}]},
         "filters.items.0.op"),
        ({"match": "all", "items": [{"field": "channel", "op": "in", "value": "x"}]},
         "filters.items.0.value"),
    ],
)  # fmt: skip
def test_bad_filters_name_the_part_at_fault(filters, field):
    with pytest.raises(InvalidInput) as refused:
        triggers.clean_filters(filters)
    assert refused.value.field == field


def test_the_trigger_page_builds_its_filters(world):
    from django.test import Client

    client = Client()
    client.force_login(world.acme.user("admin"))
    page = client.get("/outreach/triggers/").content.decode()
    assert 'data-condition-builder="trigger-builder"' in page and "Channel of the event" in page
