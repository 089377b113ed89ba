"""The closed sets the API schemas spell out as `Literal`s are the models' choices, and the
OpenAPI document lists them as enums (decision 0028)."""

from __future__ import annotations

from typing import get_args

import pytest

from voxloop.api.api import api
from voxloop.closedloop import schemas as closedloop
from voxloop.closedloop.models import CaseEvent, CaseStatus, PlaybookKind, Priority
from voxloop.closedloop.outer_loop import ActionPlanStatus
from voxloop.contacts import schemas as contacts
from voxloop.contacts.models import CustomerStatus
from voxloop.distribution import schemas as distribution
from voxloop.distribution.models import CampaignStatus, Channel, InvitationStatus, WidgetPosition
from voxloop.exports import schemas as exports
from voxloop.exports.kinds import FORMATS, KINDS
from voxloop.exports.models import ExportStatus
from voxloop.responses.models import NpsGroup
from voxloop.tenancy.models import Role
from voxloop.textanalytics import schemas as text
from voxloop.textanalytics.models import Sentiment, TermKind

PAIRS = [
    (closedloop.PriorityName, Priority.values),
    (closedloop.CaseStatusName, CaseStatus.values),
    (closedloop.PlaybookKindName, PlaybookKind.values),
    (closedloop.PlanStatusName, ActionPlanStatus.values),
    (closedloop.RoleName, Role.values),
    (closedloop.EventKind, CaseEvent.Kind.values),
    (contacts.CustomerStatusName, CustomerStatus.values),
    (contacts.NpsGroup, [*NpsGroup.values, ""]),
    (distribution.ChannelName, Channel.values),
    (distribution.CampaignStatusName, CampaignStatus.values),
    (distribution.InvitationStatusName, InvitationStatus.values),
    (distribution.WidgetPositionName, WidgetPosition.values),
    (exports.ExportKindName, list(KINDS)),
    (exports.ExportFormat, list(FORMATS)),
    (exports.ExportStatusName, ExportStatus.values),
    (text.SentimentName, Sentiment.values),
    (text.TermKindName, TermKind.values),
]


@pytest.mark.parametrize(("literal", "choices"), PAIRS)
def test_a_literal_is_its_models_choices(literal, choices):
    assert set(get_args(literal)) == set(choices)


def test_the_schema_lists_closed_sets_as_enums():
    schemas = api.get_openapi_schema()["components"]["schemas"]

    def enum_of(component: str, field: str) -> list[str]:
        prop = schemas[component]["properties"][field]
        options = prop.get("anyOf", [prop])
        return next(o["enum"] for o in options if "enum" in o)

    assert set(enum_of("CaseOut", "status")) == set(CaseStatus.values)
    assert set(enum_of("PlaybookIn", "kind")) == set(PlaybookKind.values)
    assert set(enum_of("CampaignOut", "status")) == set(CampaignStatus.values)
    assert set(enum_of("ExportIn", "kind")) == set(KINDS)
    assert "precondition_failed" in enum_of("ErrorDetail", "code")


def test_every_operation_documents_its_errors_and_limits():
    paths = api.get_openapi_schema()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            answers = operation["responses"]
            assert {"401", "404", "422", "429"} <= set(answers), (method, path)
            if method in ("patch", "delete") and "get" in operations:
                assert {"412", "428"} <= set(answers), (method, path)
            ok = next(a for s, a in answers.items() if s.startswith("2"))
            assert "RateLimit-Remaining" in ok.get("headers", {}), (method, path)
            assert "Retry-After" in answers["429"]["headers"]
