"""What a trigger's filters can be built from: the interaction's channel and the attribute
names its events carry (for the condition builder)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from voxloop.contacts import selectors as contact_selectors
from voxloop.tenancy.scoping import Scope
from voxloop.web import conditions


def trigger_builder(scope: Scope) -> dict:
    ops = ["eq", "ne", "contains"]
    fields = [{"name": "channel", "label": _("Channel of the event"), "ops": ops, "input": "text"}]
    fields += [
        {
            "name": f"attributes.{name}",
            "label": _("%(name)s (event attribute)") % {"name": name},
            "ops": ["eq", "ne", "contains"],
            "input": "text",
        }
        for name in contact_selectors.interaction_attribute_names(scope)
    ]
    return conditions.config(fields)
