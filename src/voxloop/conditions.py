"""The one stored shape of every condition a business user builds (segments, alert rules,
survey display logic, trigger filters):

    {"match": "all" | "any", "items": [condition, ..., {"match": ..., "items": [...]}, ...]}

A condition is whatever its target understands ({field, op, value} for contacts and
responses, {question, op, value} for display logic); a nested object with "items" is a
group. Each target validates its own conditions (`clean_leaf`) and evaluates them (`holds`
in memory, or `leaf_q` as one query); the tree around them is checked and walked here once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from voxloop.errors import InvalidInput

MATCHES = ("all", "any")
MAX_DEPTH = 3
MAX_CONDITIONS = 40

Leaf = dict[str, Any]


def is_group(item: Any) -> bool:
    return isinstance(item, dict) and "items" in item


def from_list(items: list) -> dict:
    """The older flat forms (a list that must all hold) as a tree."""
    return {"match": "all", "items": list(items)}


def clean_tree(
    raw: Any,
    clean_leaf: Callable[[Any, str], Leaf],
    *,
    field: str,
    groups: bool = True,
    allow_empty: bool = True,
) -> dict:
    """The stored form of a tree, or InvalidInput naming the part at fault (`field.items.2.op`)."""
    if raw in (None, "", {}, []):
        if not allow_empty:
            raise InvalidInput("Add at least one condition.", field=field)
        return {"match": "all", "items": []}
    if isinstance(raw, list):
        raw = from_list(raw)
    counted = [0]
    tree = _clean_group(raw, clean_leaf, field, 1, groups, counted)
    if not allow_empty and not tree["items"]:
        raise InvalidInput("Add at least one condition.", field=field)
    return tree


def _clean_group(
    raw: Any,
    clean_leaf: Callable[[Any, str], Leaf],
    where: str,
    depth: int,
    groups: bool,
    counted: list[int],
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidInput('Conditions are {"match": "all" or "any", "items": [...]}.', where)
    match = raw.get("match", "all")
    if match not in MATCHES:
        raise InvalidInput("'match' is 'all' (AND) or 'any' (OR).", field=f"{where}.match")
    items = raw.get("items")
    if not isinstance(items, list):
        raise InvalidInput("'items' is a list of conditions.", field=f"{where}.items")
    cleaned = []
    for index, item in enumerate(items):
        at = f"{where}.items.{index}"
        if is_group(item):
            if not groups:
                raise InvalidInput("Groups are not available here.", field=at)
            if depth >= MAX_DEPTH:
                raise InvalidInput(f"Groups nest at most {MAX_DEPTH} deep.", field=at)
            group = _clean_group(item, clean_leaf, at, depth + 1, groups, counted)
            if not group["items"]:
                raise InvalidInput("An empty group means nothing: remove it.", field=at)
            cleaned.append(group)
            continue
        counted[0] += 1
        if counted[0] > MAX_CONDITIONS:
            raise InvalidInput(f"At most {MAX_CONDITIONS} conditions.", field=at)
        cleaned.append(clean_leaf(item, at))
    return {"match": match, "items": cleaned}


def leaves(tree: dict) -> list[Leaf]:
    out: list[Leaf] = []
    for item in tree.get("items", []):
        out.extend(leaves(item) if is_group(item) else [item])
    return out


def holds(tree: dict, leaf_holds: Callable[[Leaf], bool], empty: bool = True) -> bool:
    """Evaluate a cleaned tree in memory; `empty` is what a tree with no conditions means."""
    items = tree.get("items") or []
    if not items:
        return empty
    results = (holds(i, leaf_holds, empty) if is_group(i) else leaf_holds(i) for i in items)
    return all(results) if tree.get("match", "all") == "all" else any(results)


def to_q(tree: dict, leaf_q: Callable[[Leaf], Q]) -> Q:
    """A cleaned tree as one query condition (an empty tree: everything)."""
    parts = [to_q(i, leaf_q) if is_group(i) else leaf_q(i) for i in tree.get("items") or []]
    if not parts:
        return Q()
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if tree.get("match", "all") == "all" else combined | part
    return combined
