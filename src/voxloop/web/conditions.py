"""The shared words of the condition builder (web/conditions.js), in the reader's language;
each target adds its own fields."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def op_labels() -> dict[str, str]:
    return {
        "eq": _("is"),
        "ne": _("is not"),
        "neq": _("is not"),
        "in": _("is one of"),
        "not_in": _("is none of"),
        "gte": _("is at least"),
        "lte": _("is at most"),
        "gt": _("is more than"),
        "lt": _("is less than"),
        "contains": _("contains"),
        "contains_any": _("contains any of the words"),
        "includes": _("includes"),
        "answered": _("is answered"),
        "within": _("answered in the last … days"),
        "not_within": _("not answered in the last … days"),
    }


def texts() -> dict[str, str]:
    return {
        "all": _("All of these (AND)"),
        "any": _("Any of these (OR)"),
        "add": _("Add a condition"),
        "add_group": _("Add a group"),
        "remove": _("Remove"),
        "remove_group": _("Remove the group"),
        "field": _("Field"),
        "op": _("Operator"),
        "value": _("Value"),
        "match": _("Combine"),
        "words": _("words, separated by commas"),
    }


def describe(tree: dict[str, Any] | list[Any], fields: list[dict[str, Any]]) -> str:
    """A stored tree as a sentence: "tier (attribute) is gold and (Language is one of ro, ja
    or Last response answered in the last … days 30)"."""
    if isinstance(tree, list):
        tree = {"match": "all", "items": tree}
    labels = {f["name"]: f for f in fields}
    ops = op_labels()

    def value_text(field: dict[str, Any] | None, value: Any) -> str:
        names = dict((str(k), v) for k, v in (field or {}).get("choices", []))
        values = value if isinstance(value, list) else [value]
        return ", ".join(names.get(str(v), str(v)) for v in values if v is not None)

    def walk(group: dict, nested: bool) -> str:
        joiner = f" {_('and')} " if group.get("match", "all") == "all" else f" {_('or')} "
        parts = []
        for item in group.get("items", []):
            if "items" in item:
                parts.append(walk(item, True))
                continue
            field = labels.get(item.get("field") or item.get("question"))
            name = field["label"] if field else str(item.get("field") or item.get("question"))
            op = ops.get(item.get("op", "eq"), item.get("op", ""))
            parts.append(f"{name} {op} {value_text(field, item.get('value'))}".strip())
        text = joiner.join(parts)
        return f"({text})" if nested and len(parts) > 1 else text

    return walk(tree or {}, False) or _("everyone")


def config(fields: list[dict], *, groups: bool = True, count_url: str = "") -> dict:
    return {
        "fields": fields,
        "groups": groups,
        "count_url": count_url,
        "op_labels": op_labels(),
        "texts": texts(),
    }
