"""Small display filters for the closed-loop pages (output stays autoescaped)."""

from datetime import timedelta

from django import template
from django.utils.translation import ngettext
from django_stubs_ext import StrOrPromise

from voxloop.closedloop.models import CaseStatus

register = template.Library()


@register.filter
def status_label(value: str) -> StrOrPromise:
    """'in_progress' → 'In progress', in the active language."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return value


@register.filter
def answer_text(value: object) -> str:
    """An answer as a person reads it: choices joined, matrices as row: value."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


@register.filter
def span(value: timedelta | None) -> str:
    """A timedelta as its largest whole unit: "3 days", "5 hours", "12 minutes"."""
    if value is None:
        return ""
    seconds = abs(int(value.total_seconds()))
    days, hours, minutes = seconds // 86400, seconds // 3600, max(seconds // 60, 1)
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if hours:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
