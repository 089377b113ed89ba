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
