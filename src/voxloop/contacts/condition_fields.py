"""What a segment can be built from, for the condition builder: contact attributes in use,
the unit, account tier, NPS group, language and time since the last response."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from voxloop.contacts import selectors
from voxloop.contacts.models import AccountTier
from voxloop.tenancy.scoping import Scope
from voxloop.web import conditions


def segment_builder(scope: Scope) -> dict[str, Any]:
    fields: list[dict[str, Any]] = [
        {
            "name": f"attributes.{name}",
            "label": _("%(name)s (attribute)") % {"name": name},
            "ops": ["eq", "ne", "contains", "gte", "lte"],
            "numeric_ops": ["gte", "lte"],
            "input": "text",
        }
        for name in selectors.attribute_names(scope)
    ]
    fields += [
        {
            "name": f"account.attributes.{name}",
            "label": _("%(name)s (account attribute)") % {"name": name},
            "ops": ["eq", "ne", "contains", "gte", "lte"],
            "numeric_ops": ["gte", "lte"],
            "input": "text",
        }
        for name in selectors.account_attribute_names(scope)
    ]
    fields += [
        {"name": "unit", "label": _("Unit (and below)"), "ops": ["eq"], "input": "unit"},
        {
            "name": "nps_group",
            "label": _("Last NPS group"),
            "ops": ["in", "eq"],
            "input": "choice",
            "choices": [
                ["promoter", _("Promoter")],
                ["passive", _("Passive")],
                ["detractor", _("Detractor")],
            ],
        },
        {
            "name": "account_tier",
            "label": _("Account tier"),
            "ops": ["in", "eq"],
            "input": "choice",
            "choices": [list(c) for c in AccountTier.choices],
        },
        {
            "name": "locale",
            "label": _("Language"),
            "ops": ["in", "eq"],
            "input": "choice",
            "choices": [[code.lower(), name] for code, name in settings.LANGUAGES],
        },
        {
            "name": "last_response_days",
            "label": _("Last response"),
            "ops": ["within", "not_within"],
            "input": "number",
        },
    ]
    return conditions.config(fields, count_url=reverse("contacts:segment_count"))
