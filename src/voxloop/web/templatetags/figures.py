"""Numbers as the reader's language writes them: 12,345 / 12.345, 45.2% / 45,2 %.

Not `USE_THOUSAND_SEPARATOR`: that would also group ids inside links (/cases/1,234/)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

register = template.Library()


@register.filter
def count(value: Any) -> str:
    """A whole number with the language's digit grouping."""
    if value is None or value == "":
        return "–"
    try:
        return number_format(int(value), use_l10n=True, force_grouping=True)
    except (TypeError, ValueError):
        return str(value)


@register.filter
def percent(value: Any, digits: int = 0) -> str:
    """A share (0.452) as a percentage in the language's form ("45%", "45 %")."""
    if value is None or value == "":
        return "–"
    try:
        shown = number_format(
            round(float(value) * 100, int(digits)), int(digits), use_l10n=True, force_grouping=True
        )
    except (TypeError, ValueError):
        return str(value)
    # Translators: a percentage; Romanian puts a no-break space before the sign.
    return gettext("%(value)s%%") % {"value": shown}
