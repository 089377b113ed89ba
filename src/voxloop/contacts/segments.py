"""Segment filters: checked when saved (a typo is a clear error naming the filter), turned
into one query on the contacts table when used (campaign audiences, dashboard filters)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from voxloop import conditions
from voxloop.contacts.models import AccountTier, Contact, Segment
from voxloop.errors import InvalidInput
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import subtree_q

# No "__" in the name: it becomes an ORM path (attributes__<name>), where "__" is a lookup.
ATTRIBUTE = re.compile(r"^attributes\.((?!\w*__)[A-Za-z0-9_]{1,60})$")
# The contact's account's attributes (company size, plan, ARR band…): personas and service
# tiers are rules on both.
ACCOUNT_ATTRIBUTE = re.compile(r"^account\.attributes\.((?!\w*__)[A-Za-z0-9_]{1,60})$")
NPS_GROUPS = {"promoter", "passive", "detractor"}
OPS = {
    "attribute": {"eq", "ne", "in", "gte", "lte", "contains"},
    "account_attribute": {"eq", "ne", "in", "gte", "lte", "contains"},
    "unit": {"eq"},
    "account_tier": {"eq", "in"},
    "nps_group": {"eq", "in"},
    "locale": {"eq", "in"},
    "last_response_days": {"within", "not_within"},
}
MAX_FILTERS = 20


def _kind(field: str) -> str:
    if ATTRIBUTE.match(field):
        return "attribute"
    return "account_attribute" if ACCOUNT_ATTRIBUTE.match(field) else field


def _attribute_name(field: str) -> str:
    match = ATTRIBUTE.match(field) or ACCOUNT_ATTRIBUTE.match(field)
    if match is None:  # callers checked _kind first
        raise InvalidInput(f"'{field}' names no attribute.", field="field")
    return match.group(1)


def check_filters(organization_id: int, filters: Any) -> None:
    """Refuse filters that cannot mean anything: an unknown field, operator or attribute."""
    if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
        raise InvalidInput(f"Filters are a list of at most {MAX_FILTERS} conditions.", "filters")
    for i, condition in enumerate(filters):
        check_filters_one(organization_id, condition, f"filters[{i}]")


def clean_filters(organization_id: int, raw: Any) -> dict:
    """The stored form of a segment's filters: a condition tree (voxloop.conditions). A flat
    list (the older form, all must hold) is checked as before and becomes a tree."""
    if isinstance(raw, list) or not isinstance(raw, dict):
        check_filters(organization_id, raw)
        return conditions.from_list([_leaf(c) for c in raw])

    def clean_leaf(item: Any, where: str) -> dict:
        check_filters_one(organization_id, item, where)
        return _leaf(item)

    return conditions.clean_tree(raw, clean_leaf, field="filters")


def _leaf(condition: dict) -> dict:
    return {
        "field": condition["field"],
        "op": condition.get("op", "eq"),
        "value": condition.get("value"),
    }


def check_filters_one(organization_id: int, condition: Any, where: str) -> None:
    if not isinstance(condition, dict):
        raise InvalidInput("Each filter is {field, op, value}.", field=where)
    field, op, value = condition.get("field"), condition.get("op", "eq"), condition.get("value")
    kind = _kind(str(field or ""))
    if kind not in OPS:
        raise InvalidInput(
            f"Unknown filter field '{field}' (attributes.<name>, account.attributes.<name>, "
            "unit, account_tier, "
            "nps_group, locale or last_response_days).",
            field=f"{where}.field",
        )
    if op not in OPS[kind]:
        allowed = ", ".join(sorted(OPS[kind]))
        raise InvalidInput(f"'{op}' does not apply to {field} ({allowed}).", f"{where}.op")
    _check_value(organization_id, kind, str(field), op, value, where)


def _check_value(
    organization_id: int, kind: str, field: str, op: str, value: Any, where: str
) -> None:
    if op == "in" and not (isinstance(value, list) and value):
        raise InvalidInput("'in' takes a non-empty list.", field=f"{where}.value")
    values = value if op == "in" else [value]
    if kind in ("attribute", "account_attribute"):
        name = _attribute_name(field)
        column = "attributes" if kind == "attribute" else "account__attributes"
        known = Contact.objects.filter(
            organization_id=organization_id, **{f"{column}__has_key": name}
        )
        if not known.exists():
            whose = "contact" if kind == "attribute" else "contact's account"
            raise InvalidInput(f"No {whose} has the attribute '{name}'.", field=f"{where}.field")
        if op in {"gte", "lte"} and not all(isinstance(v, int | float) for v in values):
            raise InvalidInput(f"'{op}' compares numbers.", field=f"{where}.value")
    elif kind == "unit":
        if tenancy_selectors.unit_by_code_in_org(organization_id, str(value)) is None:
            raise InvalidInput(f"No unit with the code '{value}'.", field=f"{where}.value")
    elif kind == "account_tier" and not set(values) <= set(AccountTier.values):
        raise InvalidInput("A tier is high_touch or low_touch.", field=f"{where}.value")
    elif kind == "nps_group" and not set(values) <= NPS_GROUPS:
        raise InvalidInput("An NPS group is promoter, passive or detractor.", f"{where}.value")
    elif kind == "last_response_days" and not (isinstance(value, int) and 0 < value <= 3650):
        raise InvalidInput("A number of days from 1 to 3650.", field=f"{where}.value")


def segment_q(organization_id: int, filters: list | dict) -> Q:
    """The filters as one condition on Contact (checked filters only: see clean_filters)."""
    tree = conditions.from_list(filters) if isinstance(filters, list) else filters
    return conditions.to_q(tree, lambda leaf: _condition_q(organization_id, leaf))


def _condition_q(organization_id: int, condition: dict[str, Any]) -> Q:
    field, op = condition["field"], condition.get("op", "eq")
    value: Any = condition.get("value")
    kind = _kind(field)
    if kind in ("attribute", "account_attribute"):
        name = _attribute_name(field)
        lookup = f"attributes__{name}" if kind == "attribute" else f"account__attributes__{name}"
        if op == "eq":
            return Q(**{lookup: value})
        if op == "ne":
            return ~Q(**{lookup: value})
        if op == "in":
            return Q(**{f"{lookup}__in": value})
        if op == "contains":
            return Q(**{f"{lookup}__icontains": str(value)})
        return Q(**{f"{lookup}__{op}": value})
    if kind == "unit":
        unit = tenancy_selectors.unit_by_code_in_org(organization_id, str(value))
        return subtree_q(unit.path, "unit_path") if unit is not None else Q(pk__in=[])
    column = {"account_tier": "account__tier", "nps_group": "last_nps_group", "locale": "locale"}
    if kind in column:
        values = value if op == "in" else [value]
        return Q(**{f"{column[kind]}__in": values})
    since = timezone.now() - timedelta(days=int(value))
    within = Q(last_response_at__gte=since)
    return within if op == "within" else ~within


def segment_contacts(contacts: QuerySet[Contact], segment: Segment) -> QuerySet[Contact]:
    """The segment's members among already-scoped contacts."""
    return contacts.filter(segment_q(segment.organization_id, segment.filters))
