"""Whole numbers from query strings, form fields and paths: one parser, so that "²" or "٣"
(which `str.isdigit` accepts and `int` may not), "-1" or a 30-digit id is a clear 400 naming
the field, or simply "none", and never a ValueError or a database overflow (a 500)."""

from __future__ import annotations

import re

from voxloop.errors import InvalidInput

MAX_ID = 2**63 - 1  # the largest id a database column holds
DIGITS = re.compile(r"[0-9]{1,19}")  # ASCII digits only


def whole_number(raw: str | None, field: str, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """None when empty; else a whole number from `low` to `high`, or an InvalidInput naming
    the field."""
    text = (raw or "").strip()
    if not text:
        return None
    if not DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise InvalidInput(f"'{field}' must be a whole number from {low} to {high}.", field=field)
    return int(text)


def id_or_none(raw: str | None) -> int | None:
    """An id from a form's choice: None for anything that cannot be one."""
    text = (raw or "").strip()
    if DIGITS.fullmatch(text) and 1 <= int(text) <= MAX_ID:
        return int(text)
    return None
