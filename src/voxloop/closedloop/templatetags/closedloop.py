"""Small display filters for the closed-loop pages (output stays autoescaped)."""

from django import template

from voxloop.closedloop.models import CaseStatus

register = template.Library()


@register.filter
def status_label(value: str) -> str:
    """'in_progress' → 'In progress', in the active language."""
    try:
        return CaseStatus(value).label
    except ValueError:
        return value


@register.filter
def answer_text(value) -> str:
    """An answer as a person reads it: choices joined, matrices as row: value."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)
