"""Phone numbers in E.164 (+<country><number>, 8 to 15 digits), the form SMS providers send
and expect. Stored numbers keep the formatting they were given (spaces, dashes, brackets);
`digits_of` is the database expression that removes it, so a provider's "+447700900123"
finds the contact saved as "+44 7700 900123" (through an index on the same expression)."""

from __future__ import annotations

import re

from django.db.models import F, Value
from django.db.models.functions import Replace

FORMATTING = (" ", "-", "(", ")", ".")
E164 = re.compile(r"^\+[1-9][0-9]{7,14}$")


def to_e164(text: str) -> str | None:
    """The number in E.164, or None when it is not an international number. "00" is read as
    the international prefix; a national number (no country code) cannot be placed."""
    compact = re.sub(r"[\s\-().\u00a0]", "", str(text or ""))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    return compact if E164.match(compact) else None


def digits_of(field: str = "phone") -> F | Replace:
    expression: F | Replace = F(field)
    for mark in FORMATTING:
        expression = Replace(expression, Value(mark), Value(""))
    return expression
