"""The filter bar's choices of period and comparison (`analytics/_filter_bar.html`), so every
page that shows the bar offers the same ones without its view listing them."""

from __future__ import annotations

from typing import Any

from django import template

from voxloop.analytics.periods import COMPARISONS, PRESETS

register = template.Library()


@register.simple_tag
def period_choices() -> list[tuple[str, Any]]:
    return [(name, preset.label) for name, preset in PRESETS.items()]


@register.simple_tag
def comparison_choices() -> list[tuple[str, Any]]:
    return list(COMPARISONS.items())
