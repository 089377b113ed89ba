"""The page envelope every list endpoint answers with, by offset (capped) or by cursor.

`after` is keyset pagination: the cursor holds the last item's values in the list's own order
(plus its id), and the next page is the rows after those values, read through the index like
the first page. An offset is read and thrown away row by row, so offsets stop at MAX_OFFSET.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from voxloop.api.schemas import ListQuery, PageQuery
from voxloop.errors import InvalidInput


def page(
    queryset: QuerySet,
    query: PageQuery,
    out: Callable[[Any], Any] | None = None,
    request: HttpRequest | None = None,
) -> dict:
    """{count, limit, offset, items, next}: `next` is the cursor for the following page (None
    on the last one); with the request, its `Link: <…>; rel="next"` header too."""
    after = getattr(query, "after", None)
    count = queryset.count()
    queryset = _ordered(queryset, getattr(query, "ordering", None))
    keys = _order(queryset)
    queryset = queryset.order_by(*keys)
    if after:
        if query.offset:
            raise InvalidInput("Give either 'offset' or 'after', not both.", field="after")
        queryset = queryset.filter(_after(queryset, keys, _decode(after, len(keys))))
    rows = list(queryset[query.offset : query.offset + query.limit])
    cursor = None
    if len(rows) == query.limit:
        cursor = _encode([_value(rows[-1], key.lstrip("-")) for key in keys])
    _link_next(request, cursor)
    return {
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "items": [out(r) for r in rows] if out else rows,
        "next": cursor,
    }


def listing(
    request: HttpRequest,
    queryset: QuerySet,
    query: ListQuery,
    out: Callable[[Any], Any] | None = None,
) -> list[Any]:
    """A list answered as a plain array (as it always was): `limit` items after the cursor,
    and the next cursor in the `Link` header while more follow."""
    queryset = _ordered(queryset, getattr(query, "ordering", None))
    keys = _order(queryset)
    queryset = queryset.order_by(*keys)
    if query.after:
        queryset = queryset.filter(_after(queryset, keys, _decode(query.after, len(keys))))
    rows = list(queryset[: query.limit + 1])
    cursor = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        cursor = _encode([_value(rows[-1], key.lstrip("-")) for key in keys])
    _link_next(request, cursor)
    return [out(r) for r in rows] if out else rows


NEXT_LINK = "_voxloop_next_link"


def _link_next(request: HttpRequest | None, cursor: str | None) -> None:
    """Remember the next page's URL; the API's outer view writes it as the Link header."""
    if request is None or cursor is None:
        return
    params = request.GET.copy()
    params.pop("offset", None)
    params["after"] = cursor
    setattr(request, NEXT_LINK, f"{request.path}?{params.urlencode()}")


def next_link(request: HttpRequest) -> str | None:
    return getattr(request, NEXT_LINK, None)


def _ordered(queryset: QuerySet, ordering: str | None) -> QuerySet:
    # `ordering` is one of the list's documented values (a Literal), so it names a field.
    return queryset.order_by(ordering) if ordering else queryset


def _order(queryset: QuerySet) -> list[str]:
    """The list's ordering with the primary key last, so every position is unique."""
    keys = [str(k) for k in (queryset.query.order_by or queryset.model._meta.ordering or [])]
    if not any(k.lstrip("-") in ("pk", "id") for k in keys):
        keys.append("-pk" if keys and keys[0].startswith("-") else "pk")
    return ["-pk" if k == "-id" else "pk" if k == "id" else k for k in keys]


def _after(queryset: QuerySet, keys: list[str], values: list[Any]) -> Q:
    """Rows strictly after `values` in the order of `keys` (a lexicographic comparison)."""
    model = queryset.model
    parsed = [_parse(model, key.lstrip("-"), raw) for key, raw in zip(keys, values, strict=True)]
    condition = Q()
    for i, key in enumerate(keys):
        name, op = key.lstrip("-"), "lt" if key.startswith("-") else "gt"
        step = Q(**{f"{name}__{op}": parsed[i]})
        for earlier, value in zip(keys[:i], parsed[:i], strict=True):
            step &= Q(**{earlier.lstrip("-"): value})
        condition |= step
    return condition


def _value(row: Any, name: str) -> Any:
    for part in ("pk" if name == "pk" else name).split("__"):
        row = getattr(row, part)
    if isinstance(row, datetime | date):
        return row.isoformat()
    return row


def _parse(model: Any, name: str, raw: Any) -> Any:
    field_model, parts = model, name.split("__")
    try:
        for part in parts[:-1]:
            field_model = field_model._meta.get_field(part).related_model
        field = (
            field_model._meta.pk if parts[-1] == "pk" else field_model._meta.get_field(parts[-1])
        )
        if raw is None:
            raise ValidationError("null")
        return field.to_python(raw)
    except (FieldDoesNotExist, ValidationError, AttributeError, TypeError):
        raise _bad_cursor() from None


def _encode(values: list[Any]) -> str:
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):
        raise _bad_cursor() from None
    if not isinstance(values, list) or len(values) != size:
        raise _bad_cursor()
    return values


def _bad_cursor() -> InvalidInput:
    return InvalidInput("'after' is not the 'next' of a page of this list.", field="after")
