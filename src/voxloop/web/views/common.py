"""Small helpers the page modules share."""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop.tenancy import selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

# Suggestions only: typing any visible code works, the list just saves typing on small orgs.
UNIT_CODE_SUGGESTIONS = 300


def unit_code_suggestions(scope: Scope) -> QuerySet[OrgUnit]:
    return selectors.visible_units(scope).only("name", "code")[:UNIT_CODE_SUGGESTIONS]
