from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (dict or list); empty when absent."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return ""


@register.filter
def bucket_end(start: str, grain: str) -> str:
    """The last day of the trend bucket beginning on `start`."""
    from voxloop.analytics.charts import bucket_end as end_of

    return end_of(start, grain)
