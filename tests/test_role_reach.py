"""Each role reaches exactly what docs/security.md says it may: every API operation of the
OpenAPI schema and every page, called as each role from the organisation's root (so scope
hides nothing and only the role decides), against the table as it stands in that file.

A "—" in the table must answer 403. A read must answer 200 (or, for "own", anything but 403),
a write anything but 401/403/404/405 or a server error. Every answer a viewer gets is also
searched for the records planted in the world (a contact's address, a comment, a staff
member's email, an invitation's reference): a viewer reads figures only.

An operation or page added later without an entry here fails `test_every_*_has_a_reach`.
The permission matrices beside each app check the scope (units, tenants); this checks roles.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.factories import build_org, make_member
from tests.surveys.builders import store_visit_survey
from tests.test_route_coverage import OUTSIDE_THE_MATRIX
from voxloop.accounts import services as account_services
from voxloop.analytics import services as analytics_services
from voxloop.api.api import api
from voxloop.closedloop import casework, plans
from voxloop.closedloop import services as closedloop_services
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Account, InteractionType
from voxloop.crm import services as crm_services
from voxloop.distribution import services as distribution_services
from voxloop.distribution.campaigns import triggers
from voxloop.distribution.models import Invitation
from voxloop.distribution.widget import services as widgets
from voxloop.exports import services as export_services
from voxloop.exports.models import Export, ExportStatus
from voxloop.feedback360 import services as f360_services
from voxloop.health import services as health_services
from voxloop.ideas import identity as idea_identity
from voxloop.ideas import services as idea_services
from voxloop.identity import services as identity_services
from voxloop.journeys import services as journey_services
from voxloop.pulse import services as pulse_services
from voxloop.recent import forget_everything
from voxloop.responses import kiosks
from voxloop.responses.services import Submission, submit
from voxloop.reviews import services as review_services
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.scoping import Scope
from voxloop.textanalytics import services as text_services
from voxloop.webhooks import services as webhook_services

SECURITY_MD = Path(__file__).resolve().parents[1] / "docs" / "security.md"
ROLES = ("admin", "analyst", "manager", "agent", "viewer")
# Planted in records; none may reach a viewer.
MARKERS = {
    "contact email": "annabel.pii@example.test",
    "contact name": "Pilkington-Quux",
    "comment": "queue was far too long marker",
    "staff email": "clerk.pii@example.test",
    "staff code": "STAFF-PII-7",
}
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


# --- the table in docs/security.md ------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    verbs: frozenset[str]  # "read", "write"
    own: bool  # only the person's own (cases)


def read_table() -> dict[str, dict[str, Grant]]:
    """area → role → grant, parsed from the roles table of docs/security.md."""
    text = SECURITY_MD.read_text()
    start = text.index("<!-- role-reach:")
    after = text[start:].splitlines()[1:]
    first = next(i for i, ln in enumerate(after) if ln.startswith("|"))
    # The table is the run of rows right after the marker; other tables follow in the file.
    lines = list(itertools.takewhile(lambda ln: ln.startswith("|"), after[first:]))
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    roles = header[2:]
    assert tuple(roles) == ROLES, roles
    table: dict[str, dict[str, Grant]] = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        area = cells[0].strip("`")
        table[area] = {}
        for role, cell in zip(roles, cells[2:], strict=True):
            verbs = frozenset(v for v in ("read", "write") if v in cell)
            assert verbs or cell == "—", f"{area}/{role}: unreadable cell {cell!r}"
            table[area][role] = Grant(verbs, "own" in cell)
    return table


TABLE = read_table()


# --- every API operation --------------------------------------------------------------------

# (METHOD, path in the OpenAPI schema after /api/v1) → (area of the table, verb)
API_REACH: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/responses"): ("capture", "write"),
    ("GET", "/responses"): ("responses", "read"),
    ("GET", "/responses/{response_id}"): ("responses", "read"),
    ("GET", "/me"): ("own", "read"),
    ("GET", "/users"): ("people", "read"),
    ("POST", "/users"): ("people", "write"),
    ("GET", "/users/{user_id}"): ("people", "read"),
    ("GET", "/tokens"): ("own", "read"),
    ("POST", "/tokens"): ("own", "write"),
    ("DELETE", "/tokens/{token_id}"): ("own", "write"),
    ("GET", "/org-units"): ("tree", "read"),
    ("POST", "/org-units"): ("tree", "write"),
    ("GET", "/org-units/tree"): ("tree", "read"),
    ("GET", "/org-units/{unit_id}"): ("tree", "read"),
    ("PATCH", "/org-units/{unit_id}"): ("tree", "write"),
    ("POST", "/org-units/{unit_id}/move"): ("tree", "write"),
    ("GET", "/memberships"): ("people", "read"),
    ("GET", "/memberships/{membership_id}"): ("people", "read"),
    ("PATCH", "/memberships/{membership_id}"): ("people", "write"),
    ("DELETE", "/memberships/{membership_id}"): ("people", "write"),
    ("GET", "/staff"): ("staff", "read"),
    ("POST", "/staff"): ("staff", "write"),
    ("GET", "/staff/{staff_id}"): ("staff", "read"),
    ("PATCH", "/staff/{staff_id}"): ("staff", "write"),
    ("GET", "/audit-log"): ("people", "read"),
    ("GET", "/surveys"): ("settings", "read"),
    ("POST", "/surveys"): ("settings", "write"),
    ("GET", "/surveys/{survey_id}"): ("settings", "read"),
    ("PATCH", "/surveys/{survey_id}"): ("settings", "write"),
    ("POST", "/surveys/{survey_id}/questions"): ("settings", "write"),
    ("PATCH", "/surveys/{survey_id}/questions/{key}"): ("settings", "write"),
    ("DELETE", "/surveys/{survey_id}/questions/{key}"): ("settings", "write"),
    ("POST", "/surveys/{survey_id}/reorder"): ("settings", "write"),
    ("POST", "/surveys/{survey_id}/publish"): ("settings", "write"),
    ("POST", "/surveys/{survey_id}/close"): ("settings", "write"),
    ("POST", "/surveys/{survey_id}/duplicate"): ("settings", "write"),
    ("GET", "/webhooks/events"): ("webhooks", "read"),
    ("GET", "/webhooks"): ("webhooks", "read"),
    ("POST", "/webhooks"): ("webhooks", "write"),
    ("GET", "/webhooks/{subscription_id}"): ("webhooks", "read"),
    ("PATCH", "/webhooks/{subscription_id}"): ("webhooks", "write"),
    ("DELETE", "/webhooks/{subscription_id}"): ("webhooks", "write"),
    ("POST", "/webhooks/{subscription_id}/rotate-secret"): ("webhooks", "write"),
    ("GET", "/webhooks/{subscription_id}/deliveries"): ("webhooks", "read"),
    ("POST", "/webhooks/deliveries/{delivery_id}/replay"): ("webhooks", "write"),
    ("GET", "/reviews"): ("reviews", "read"),
    ("GET", "/reviews/metrics"): ("figures", "read"),
    ("GET", "/reviews/benchmark"): ("figures", "read"),
    ("GET", "/reviews/{review_id}"): ("reviews", "read"),
    ("POST", "/reviews/{review_id}/replies"): ("reviews", "write"),
    ("GET", "/review-sources"): ("admin-settings", "read"),
    ("POST", "/review-sources"): ("admin-settings", "write"),
    ("GET", "/review-sources/{source_id}"): ("admin-settings", "read"),
    ("PATCH", "/review-sources/{source_id}"): ("admin-settings", "write"),
    ("DELETE", "/review-sources/{source_id}"): ("admin-settings", "write"),
    ("POST", "/review-sources/{source_id}/locations"): ("admin-settings", "write"),
    ("POST", "/review-sources/{source_id}/import"): ("admin-settings", "write"),
    ("DELETE", "/review-source-locations/{location_id}"): ("admin-settings", "write"),
    ("GET", "/idea-boards"): ("ideas", "read"),
    ("GET", "/idea-boards/{board_id}/ideas"): ("ideas", "read"),
    ("POST", "/idea-boards/{board_id}/ideas"): ("ideas", "write"),
    ("GET", "/ideas/{idea_id}"): ("ideas", "read"),
    ("POST", "/ideas/{idea_id}/votes"): ("ideas", "write"),
    ("POST", "/ideas/{idea_id}/status"): ("idea-moderation", "write"),
    ("POST", "/ideas/{idea_id}/merge"): ("idea-moderation", "write"),
    ("GET", "/feedback360/cycles"): ("feedback360", "read"),
    ("GET", "/feedback360/cycles/{cycle_id}/completion"): ("feedback360", "read"),
    ("GET", "/feedback360/subjects/{subject_id}/report"): ("feedback360", "read"),
    ("GET", "/pulse/programmes"): ("pulse", "read"),
    ("POST", "/pulse/programmes"): ("admin-settings", "write"),
    ("GET", "/pulse/programmes/{programme_id}/results"): ("pulse", "read"),
    ("GET", "/health/accounts"): ("health", "read"),
    ("GET", "/health/accounts/{account_id}"): ("health", "read"),
    ("GET", "/health/summary"): ("figures", "read"),
    ("GET", "/health/model"): ("admin-settings", "read"),
    ("PUT", "/health/model"): ("admin-settings", "write"),
    ("GET", "/health/audiences"): ("settings", "read"),
    ("POST", "/health/audiences"): ("admin-settings", "write"),
    ("GET", "/crm-connectors"): ("admin-settings", "read"),
    ("POST", "/crm-connectors"): ("admin-settings", "write"),
    ("GET", "/crm-connectors/{connector_id}"): ("admin-settings", "read"),
    ("PATCH", "/crm-connectors/{connector_id}"): ("admin-settings", "write"),
    ("PUT", "/crm-connectors/{connector_id}/fields"): ("admin-settings", "write"),
    ("POST", "/crm-connectors/{connector_id}/sync"): ("admin-settings", "write"),
    ("GET", "/crm-connectors/{connector_id}/activity"): ("admin-settings", "read"),
    ("DELETE", "/crm-connectors/{connector_id}"): ("admin-settings", "write"),
    ("POST", "/surveys/import"): ("imports", "write"),
    ("GET", "/surveys/{survey_id}/export"): ("settings", "read"),
    ("POST", "/surveys/{survey_id}/responses/import"): ("imports", "write"),
    ("GET", "/alert-rules"): ("admin-settings", "read"),
    ("POST", "/alert-rules"): ("admin-settings", "write"),
    ("GET", "/alert-rules/{rule_id}"): ("admin-settings", "read"),
    ("PATCH", "/alert-rules/{rule_id}"): ("admin-settings", "write"),
    ("DELETE", "/alert-rules/{rule_id}"): ("admin-settings", "write"),
    ("GET", "/cases"): ("cases", "read"),
    ("POST", "/cases"): ("case-handling", "write"),
    ("GET", "/cases/sla"): ("cases", "read"),
    ("GET", "/cases/{case_id}"): ("cases", "read"),
    ("PATCH", "/cases/{case_id}"): ("cases", "write"),
    ("POST", "/cases/{case_id}/notes"): ("cases", "write"),
    ("POST", "/cases/{case_id}/emails"): ("cases", "write"),
    ("GET", "/playbooks"): ("cases", "read"),
    ("POST", "/playbooks"): ("admin-settings", "write"),
    ("GET", "/playbooks/{playbook_id}"): ("cases", "read"),
    ("PATCH", "/playbooks/{playbook_id}"): ("admin-settings", "write"),
    ("DELETE", "/playbooks/{playbook_id}"): ("admin-settings", "write"),
    ("GET", "/root-causes"): ("cases", "read"),
    ("POST", "/root-causes"): ("admin-settings", "write"),
    ("GET", "/root-causes/{cause_id}"): ("cases", "read"),
    ("PATCH", "/root-causes/{cause_id}"): ("admin-settings", "write"),
    ("DELETE", "/root-causes/{cause_id}"): ("admin-settings", "write"),
    ("GET", "/exports"): ("exports", "read"),
    ("POST", "/exports"): ("exports", "write"),
    ("GET", "/exports/{export_id}"): ("exports", "read"),
    ("GET", "/exports/{export_id}/download"): ("exports", "read"),
    ("GET", "/action-plans"): ("plans", "read"),
    ("POST", "/action-plans"): ("plans", "write"),
    ("GET", "/action-plans/{plan_id}"): ("plans", "read"),
    ("PATCH", "/action-plans/{plan_id}"): ("plans", "write"),
    ("POST", "/action-plans/{plan_id}/tasks"): ("plans", "write"),
    ("PATCH", "/action-plans/{plan_id}/tasks/{task_id}"): ("plans", "write"),
    ("GET", "/analytics/metrics"): ("figures", "read"),
    ("GET", "/analytics/cases"): ("case-figures", "read"),
    ("GET", "/analytics/dashboard"): ("figures", "read"),
    ("GET", "/analytics/heatmap"): ("figures", "read"),
    ("GET", "/analytics/drivers"): ("figures", "read"),
    ("GET", "/analytics/choices"): ("figures", "read"),
    ("GET", "/analytics/churn"): ("figures", "read"),
    ("GET", "/analytics/home"): ("figures", "read"),
    ("GET", "/analytics/views"): ("figures", "read"),
    ("POST", "/analytics/views"): ("own", "write"),
    ("GET", "/analytics/views/{view_id}"): ("own", "read"),
    ("PATCH", "/analytics/views/{view_id}"): ("own", "write"),
    ("DELETE", "/analytics/views/{view_id}"): ("own", "write"),
    ("GET", "/contacts"): ("contacts", "read"),
    ("GET", "/contacts/{contact_id}"): ("contacts", "read"),
    ("DELETE", "/contacts/{contact_id}"): ("person", "write"),
    ("GET", "/contacts/{contact_id}/export"): ("person", "read"),
    ("GET", "/privacy/policy"): ("settings", "read"),
    ("PATCH", "/privacy/policy"): ("admin-settings", "write"),
    ("GET", "/privacy/retention"): ("admin-settings", "read"),
    ("GET", "/kiosks"): ("admin-settings", "read"),
    ("POST", "/text/analyze"): ("figures", "read"),
    ("GET", "/text/breakdown"): ("figures", "read"),
    ("GET", "/text/taxonomies"): ("settings", "read"),
    ("GET", "/text/taxonomies/{taxonomy_id}"): ("settings", "read"),
    ("POST", "/text/taxonomies"): ("admin-settings", "write"),
    ("POST", "/text/taxonomies/install"): ("admin-settings", "write"),
    ("PATCH", "/text/taxonomies/{taxonomy_id}"): ("admin-settings", "write"),
    ("DELETE", "/text/taxonomies/{taxonomy_id}"): ("admin-settings", "write"),
    ("POST", "/text/taxonomies/{taxonomy_id}/themes"): ("admin-settings", "write"),
    ("PATCH", "/text/themes/{theme_id}"): ("admin-settings", "write"),
    ("DELETE", "/text/themes/{theme_id}"): ("admin-settings", "write"),
    ("POST", "/text/themes/{theme_id}/terms"): ("admin-settings", "write"),
    ("DELETE", "/text/terms/{term_id}"): ("admin-settings", "write"),
    ("GET", "/text/settings"): ("admin-settings", "read"),
    ("PATCH", "/text/settings"): ("admin-settings", "write"),
    ("GET", "/text/comments"): ("responses", "read"),
    ("GET", "/text/impact"): ("figures", "read"),
    ("GET", "/text/trending"): ("figures", "read"),
    ("GET", "/text/emerging"): ("figures", "read"),
    ("GET", "/text/themes/{theme_id}/matches"): ("admin-settings", "read"),
    ("POST", "/text/themes/{theme_id}/merge"): ("admin-settings", "write"),
    ("POST", "/text/themes/{theme_id}/split"): ("admin-settings", "write"),
    ("POST", "/text/taxonomies/{taxonomy_id}/accept"): ("admin-settings", "write"),
    ("POST", "/kiosks"): ("admin-settings", "write"),
    ("POST", "/kiosks/{kiosk_id}/revoke"): ("admin-settings", "write"),
    ("POST", "/contacts/batch"): ("contacts", "write"),
    ("POST", "/contacts/{contact_id}/consent"): ("contacts", "write"),
    ("POST", "/customers/status"): ("contacts", "write"),
    ("GET", "/interaction-types"): ("settings", "read"),
    ("POST", "/interaction-types"): ("settings", "write"),
    ("PATCH", "/interaction-types/{type_id}"): ("settings", "write"),
    ("GET", "/interaction-types/{type_id}"): ("settings", "read"),
    ("DELETE", "/interaction-types/{type_id}"): ("settings", "write"),
    ("POST", "/interactions/batch"): ("interactions", "write"),
    ("GET", "/segments"): ("settings", "read"),
    ("POST", "/segments"): ("settings", "write"),
    ("GET", "/segments/{segment_id}"): ("settings", "read"),
    ("PATCH", "/segments/{segment_id}"): ("settings", "write"),
    ("DELETE", "/segments/{segment_id}"): ("settings", "write"),
    ("GET", "/campaigns"): ("settings", "read"),
    ("POST", "/campaigns"): ("settings", "write"),
    ("GET", "/campaigns/{campaign_id}"): ("settings", "read"),
    ("PATCH", "/campaigns/{campaign_id}"): ("settings", "write"),
    ("DELETE", "/campaigns/{campaign_id}"): ("settings", "write"),
    ("POST", "/campaigns/{campaign_id}/launch"): ("settings", "write"),
    ("POST", "/campaigns/{campaign_id}/pause"): ("settings", "write"),
    ("POST", "/campaigns/{campaign_id}/resume"): ("settings", "write"),
    ("POST", "/campaigns/{campaign_id}/cancel"): ("settings", "write"),
    ("POST", "/campaigns/{campaign_id}/test-send"): ("settings", "write"),
    ("GET", "/campaigns/{campaign_id}/preview"): ("settings", "read"),
    ("GET", "/triggers"): ("settings", "read"),
    ("POST", "/triggers"): ("settings", "write"),
    ("GET", "/triggers/{trigger_id}"): ("settings", "read"),
    ("PATCH", "/triggers/{trigger_id}"): ("settings", "write"),
    ("DELETE", "/triggers/{trigger_id}"): ("settings", "write"),
    ("GET", "/invitations"): ("contacts", "read"),
    ("GET", "/outreach/stats"): ("figures", "read"),
    ("GET", "/outreach/policy"): ("settings", "read"),
    ("PATCH", "/outreach/policy"): ("settings", "write"),
    ("GET", "/widgets"): ("settings", "read"),
    ("POST", "/widgets"): ("settings", "write"),
    ("GET", "/widgets/{widget_id}"): ("settings", "read"),
    ("PATCH", "/widgets/{widget_id}"): ("settings", "write"),
    ("GET", "/widgets/{widget_id}/identity-secret"): ("admin-settings", "read"),
    ("POST", "/widgets/{widget_id}/identity-secret/rotate"): ("admin-settings", "write"),
    ("GET", "/journeys"): ("settings", "read"),
    ("POST", "/journeys"): ("settings", "write"),
    ("GET", "/journeys/{journey_id}"): ("settings", "read"),
    ("PATCH", "/journeys/{journey_id}"): ("settings", "write"),
    ("DELETE", "/journeys/{journey_id}"): ("settings", "write"),
    ("GET", "/journeys/{journey_id}/map"): ("figures", "read"),
    ("GET", "/journeys/{journey_id}/analytics"): ("figures", "read"),
    ("GET", "/outreach/sms-hooks"): ("admin-settings", "read"),
    ("POST", "/outreach/sms-hooks/rotate"): ("admin-settings", "write"),
}
# A valid body for each write, so a refusal is the role's and not the body's. Strings that
# name a value of the world ("survey", "store_unit"…) are replaced by it.
BODIES: dict[tuple[str, str], dict] = {
    ("POST", "/responses"): {"survey_id": "survey", "answers": {"nps": 9}},
    ("POST", "/users"): {
        "username": "newbie",
        "email": "n@example.test",
        "unit": "store_unit",
        "role": "viewer",
    },
    ("POST", "/tokens"): {"name": "ci", "expires_at": "soon"},
    ("POST", "/analytics/views"): {"name": "Weekly", "query": "period=7d"},
    ("PATCH", "/analytics/views/{view_id}"): {"name": "Renamed", "pinned": True},
    ("POST", "/org-units"): {
        "parent": "store_unit",
        "name": "Kiosk",
        "kind": "team",
        "code": "K-1",
    },
    ("PATCH", "/org-units/{unit_id}"): {"name": "Renamed"},
    ("POST", "/org-units/{unit_id}/move"): {"parent": "other_region"},
    ("PATCH", "/memberships/{membership_id}"): {"title": "Lead"},
    ("POST", "/staff"): {"unit": "store_unit", "name": "New", "code": "N-1"},
    ("PATCH", "/staff/{staff_id}"): {"job_title": "Lead"},
    ("POST", "/surveys"): {"name": "New", "kind": "relationship"},
    ("PATCH", "/surveys/{survey_id}"): {"name": "Renamed"},
    ("POST", "/surveys/{survey_id}/questions"): {
        "key": "extra",
        "type": "yes_no",
        "texts": {"title": {"en": "Again?"}},
    },
    ("PATCH", "/surveys/{survey_id}/questions/{key}"): {"required": True},
    ("POST", "/surveys/{survey_id}/reorder"): {"keys": ["nps", "improve", "csat", "comment"]},
    ("POST", "/alert-rules"): {
        "name": "Low",
        "conditions": {"items": [{"field": "nps", "op": "lte", "value": 3}]},
    },
    ("PATCH", "/alert-rules/{rule_id}"): {"sla_hours": 12},
    ("POST", "/webhooks"): {
        "name": "CRM",
        "url": "https://hooks.example.test/in",
        "events": ["case.opened"],
    },
    ("PATCH", "/webhooks/{subscription_id}"): {"name": "Renamed"},
    ("POST", "/reviews/{review_id}/replies"): {"text": "Thanks"},
    ("PUT", "/health/model"): {
        "name": "Health",
        "signals": [{"kind": "nps", "weight": 1, "bad": -50, "good": 50}],
    },
    ("POST", "/health/audiences"): {"kind": "tier", "name": "Gold", "segment_id": "segment_id"},
    ("POST", "/journeys"): {"name": "New"},
    ("PATCH", "/journeys/{journey_id}"): {"name": "Renamed"},
    ("POST", "/review-sources"): {"name": "New", "kind": "file"},
    ("POST", "/idea-boards/{board_id}/ideas"): {"title": "Reach"},
    ("POST", "/ideas/{idea_id}/status"): {"status": "under_review"},
    ("POST", "/ideas/{idea_id}/merge"): {"into": "other_idea"},
    ("POST", "/pulse/programmes"): {"name": "Reach", "unit_id": "store_unit"},
    ("PATCH", "/review-sources/{source_id}"): {"name": "Renamed"},
    ("POST", "/crm-connectors"): {"name": "Desk", "kind": "hubspot"},
    ("PATCH", "/crm-connectors/{connector_id}"): {"name": "Renamed"},
    ("PUT", "/crm-connectors/{connector_id}/fields"): {"fields": []},
    ("POST", "/review-sources/{source_id}/locations"): {"external_id": "s9", "unit_code": "AC1R1"},
    ("POST", "/cases"): {"response_id": "other_response"},
    ("PATCH", "/cases/{case_id}"): {"status": "in_progress"},
    ("POST", "/cases/{case_id}/notes"): {"text": "Called back"},
    ("POST", "/cases/{case_id}/emails"): {"playbook_id": "playbook"},
    ("POST", "/playbooks"): {"name": "Hi", "kind": "closing", "subject": "Hi", "body": "Done."},
    ("PATCH", "/playbooks/{playbook_id}"): {"subject": "Hello"},
    ("POST", "/root-causes"): {"name": "Parking"},
    ("PATCH", "/root-causes/{cause_id}"): {"name": "Queues"},
    ("POST", "/exports"): {"kind": "cases", "fmt": "csv"},
    ("PATCH", "/segments/{segment_id}"): {"name": "Renamed"},
    ("PATCH", "/campaigns/{campaign_id}"): {"name": "Renamed"},
    ("PATCH", "/triggers/{trigger_id}"): {"delay_minutes": 30},
    ("POST", "/action-plans"): {"title": "Fix it", "starts_on": "2026-01-01"},
    ("PATCH", "/action-plans/{plan_id}"): {"status": "done"},
    ("POST", "/action-plans/{plan_id}/tasks"): {"title": "Train"},
    ("PATCH", "/action-plans/{plan_id}/tasks/{task_id}"): {"done": True},
    ("POST", "/contacts/batch"): {"contacts": [{"external_id": "NEW", "email": "n@example.test"}]},
    ("POST", "/contacts/{contact_id}/consent"): {"channel": "sms", "allowed": False},
    ("POST", "/customers/status"): {"changes": [{"external_id": "ANN", "status": "churned"}]},
    ("POST", "/interaction-types"): {"key": "repair", "name": "Repair"},
    ("PATCH", "/interaction-types/{type_id}"): {"archived": True},
    ("POST", "/interactions/batch"): {"interactions": [{"type": "visit", "contact": "ANN"}]},
    ("POST", "/segments"): {"name": "Locals", "filters": []},
    ("POST", "/campaigns"): {"name": "New", "survey_id": "survey"},
    ("POST", "/campaigns/{campaign_id}/test-send"): {"contact_id": "contact"},
    ("POST", "/triggers"): {
        "name": "After visit",
        "survey_id": "survey",
        "interaction_type": "visit",
    },
    ("PATCH", "/outreach/policy"): {"min_days_between": 7},
    ("PATCH", "/privacy/policy"): {"audit_days": 400},
    ("POST", "/kiosks"): {"name": "Till 2"},
    ("POST", "/text/analyze"): {"texts": [{"text": "Great staff"}]},
    ("POST", "/text/taxonomies"): {"name": "Mine"},
    ("POST", "/text/taxonomies/install"): {"kind": "b2b"},
    ("PATCH", "/text/taxonomies/{taxonomy_id}"): {"name": "Shops"},
    ("POST", "/text/taxonomies/{taxonomy_id}/themes"): {"name": "Parking"},
    ("PATCH", "/text/themes/{theme_id}"): {"name": "Lines"},
    ("POST", "/text/themes/{theme_id}/terms"): {
        "language": "ro",
        "kind": "keyword",
        "text": "rând",
    },
    ("PATCH", "/text/settings"): {"languages": ["en", "ro"]},
    ("POST", "/text/themes/{theme_id}/merge"): {"into_id": "other_theme"},
    ("POST", "/text/themes/{theme_id}/split"): {"name": "Split", "term_ids": ["term_id"]},
    ("POST", "/text/taxonomies/{taxonomy_id}/accept"): {
        "name": "Parking",
        "keywords": {"en": ["car park"]},
    },
    ("POST", "/widgets"): {
        "name": "Shop",
        "survey_id": "survey",
        "allowed_origins": ["https://shop.test"],
    },
    ("PATCH", "/widgets/{widget_id}"): {"name": "Renamed"},
}
QUERIES = {
    ("GET", "/analytics/metrics"): "by=staff",
    ("GET", "/analytics/choices"): "question=improve",
    ("GET", "/outreach/stats"): "by=unit",
}


def schema_operations() -> set[tuple[str, str]]:
    paths = api.get_openapi_schema()["paths"]
    return {
        (method.upper(), path.removeprefix("/api/v1"))
        for path, ops in paths.items()
        for method in ops
    }


# --- every page -----------------------------------------------------------------------------

# route name → (area, verb, method[, url arguments that differ from the world's values[, form]])
PAGE_REACH: dict[str, tuple] = {
    "web:home": ("tree", "read", "GET"),
    "web:switch": ("own", "write", "POST"),
    "web:units": ("tree", "read", "GET"),
    "web:unit": ("tree", "read", "GET"),
    "web:unit_create": ("tree", "write", "POST"),
    "web:unit_update": ("tree", "write", "POST"),
    "web:unit_move": ("tree", "write", "POST"),
    "web:staff": ("staff", "read", "GET"),
    "web:staff_add": ("staff", "write", "POST"),
    "web:people": ("people", "read", "GET"),
    "web:people_invite": ("people", "write", "POST"),
    "web:membership": ("people", "read", "GET"),
    "web:membership_revoke": ("people", "write", "POST"),
    "web:audit": ("people", "read", "GET"),
    "web:pick_units": ("tree", "read", "GET"),
    "web:pick_people": ("case-handling", "read", "GET"),
    "accounts:tokens": ("own", "read", "GET"),
    "accounts:revoke_token": ("own", "write", "POST"),
    "accounts:set_language": ("own", "write", "POST"),
    "identity:two_factor_setup": ("own", "read", "GET"),
    "identity:two_factor_verify": ("own", "read", "GET"),
    "identity:two_factor_disable": ("own", "write", "POST"),
    "identity:settings": ("sign-in", "read", "GET"),
    "identity:save_mappings": ("sign-in", "write", "POST"),
    "identity:create_scim_token": ("sign-in", "write", "POST", {}, {"token-name": "idp"}),
    "identity:revoke_scim_token": ("sign-in", "write", "POST"),
    "surveys:list": ("admin-settings", "read", "GET"),
    "surveys:create": ("admin-settings", "read", "GET"),
    "surveys:import": ("imports", "read", "GET"),
    "surveys:responses_import": ("imports", "read", "GET"),
    "surveys:edit": ("admin-settings", "read", "GET"),
    "surveys:settings": ("admin-settings", "write", "POST"),
    "surveys:publish": ("admin-settings", "write", "POST"),
    "surveys:close": ("admin-settings", "write", "POST"),
    "surveys:duplicate": ("admin-settings", "write", "POST"),
    "surveys:preview": ("admin-settings", "read", "GET"),
    "surveys:translations": ("admin-settings", "read", "GET"),
    "surveys:thank_you": ("admin-settings", "read", "GET"),
    "surveys:question_add": ("admin-settings", "read", "GET"),
    "surveys:question": ("admin-settings", "read", "GET"),
    "surveys:question_move": ("admin-settings", "write", "POST"),
    "surveys:logic_count": ("admin-settings", "read", "GET"),
    "closedloop:rule_count": ("admin-settings", "read", "GET"),
    "surveys:question_delete": ("admin-settings", "write", "POST"),
    "closedloop:inbox": ("cases", "read", "GET"),
    "closedloop:bulk": ("case-handling", "write", "POST"),
    "closedloop:open": ("case-handling", "write", "POST", {}, {"response_id": "other_response"}),
    "closedloop:case": ("cases", "read", "GET"),
    "closedloop:case_action": ("cases", "write", "POST", {"action": "note"}),
    "webhooks:list": ("webhooks", "read", "GET"),
    "webhooks:new": ("webhooks", "read", "GET"),
    "webhooks:detail": ("webhooks", "read", "GET"),
    "webhooks:rotate": ("webhooks", "write", "POST"),
    "webhooks:delete": ("webhooks", "write", "POST"),
    "webhooks:replay": ("webhooks", "write", "POST"),
    "reviews:list": ("figures", "read", "GET"),
    "health:at_risk": ("health", "read", "GET"),
    "health:account": ("health", "read", "GET"),
    "health:model": ("admin-settings", "read", "GET"),
    "health:audiences": ("admin-settings", "read", "GET"),
    "health:audience_delete": ("admin-settings", "write", "POST"),
    "reviews:benchmark": ("figures", "read", "GET"),
    "reviews:review": ("reviews", "read", "GET"),
    "reviews:reply": ("reviews", "write", "POST", {}, {"action": "send", "text": "Thanks"}),
    "reviews:erase_author": ("person", "write", "POST"),
    "reviews:sources": ("admin-settings", "read", "GET"),
    "reviews:source": ("admin-settings", "read", "GET"),
    "reviews:location_add": ("admin-settings", "write", "POST"),
    "reviews:location_remove": ("admin-settings", "write", "POST"),
    "reviews:source_import": ("admin-settings", "write", "POST"),
    "reviews:source_fetch": ("admin-settings", "write", "POST"),
    "reviews:source_delete": ("admin-settings", "write", "POST"),
    "ideas:boards": ("ideas", "read", "GET"),
    "feedback360:cycles": ("feedback360", "read", "GET"),
    "feedback360:cycle_create": ("feedback360", "write", "POST", {}, {"name": "Reach"}),
    "feedback360:cycle": ("feedback360", "read", "GET"),
    "feedback360:start": ("feedback360", "write", "POST"),
    "feedback360:close": ("feedback360", "write", "POST", {}, {"confirmed": "yes"}),
    "feedback360:release": (
        "feedback360",
        "write",
        "POST",
        {},
        {"subject": "f360_subject", "confirmed": "yes"},
    ),
    "feedback360:report": ("feedback360", "read", "GET"),
    "feedback360:raters": ("feedback360", "read", "GET"),
    "feedback360:rater_add": ("feedback360", "write", "POST"),
    "feedback360:rater_remove": ("feedback360", "write", "POST"),
    "ideas:board_create": ("admin-settings", "write", "POST"),
    "ideas:board": ("ideas", "read", "GET"),
    "ideas:embed": ("admin-settings", "write", "POST"),
    "ideas:post": ("ideas", "write", "POST", {}, {"title": "Reach"}),
    "ideas:idea": ("ideas", "read", "GET"),
    "ideas:vote": ("ideas", "write", "POST"),
    "ideas:follow": ("ideas", "write", "POST"),
    "ideas:comment": ("ideas", "write", "POST", {}, {"body": "Reach"}),
    "ideas:moderation": ("idea-moderation", "read", "GET"),
    "ideas:promote": ("idea-moderation", "write", "POST"),
    "ideas:status": ("idea-moderation", "write", "POST", {}, {"status": "under_review"}),
    "ideas:merge": ("idea-moderation", "write", "POST", {}, {"into": "other_idea"}),
    "ideas:plan": ("idea-moderation", "write", "POST"),
    "ideas:theme": ("idea-moderation", "write", "POST", {}, {"theme": "Reach"}),
    "pulse:programmes": ("pulse", "read", "GET"),
    "pulse:create": ("admin-settings", "write", "POST"),
    "pulse:results": ("pulse", "read", "GET"),
    "pulse:edit": ("admin-settings", "read", "GET"),
    "pulse:question": ("admin-settings", "write", "POST", {}, {"text": "Reach", "driver": "tools"}),
    "pulse:send_now": ("admin-settings", "write", "POST"),
    "pulse:reports": ("pulse-reports", "read", "GET"),
    "pulse:report_plan": ("pulse-reports", "write", "POST"),
    "crm:connectors": ("admin-settings", "read", "GET"),
    "crm:connector": ("admin-settings", "read", "GET"),
    "crm:mapping": ("admin-settings", "write", "POST"),
    "crm:sync": ("admin-settings", "write", "POST"),
    "crm:authorise": ("admin-settings", "write", "POST"),
    "crm:disconnect": ("admin-settings", "write", "POST"),
    "crm:oauth_callback": ("admin-settings", "write", "GET"),
    "closedloop:rules": ("admin-settings", "read", "GET"),
    "closedloop:rule_new": ("admin-settings", "read", "GET"),
    "closedloop:rule": ("admin-settings", "read", "GET"),
    "closedloop:rule_delete": ("admin-settings", "write", "POST"),
    "closedloop:playbooks": ("admin-settings", "read", "GET"),
    "closedloop:playbook": ("admin-settings", "read", "GET"),
    "closedloop:root_causes": ("admin-settings", "read", "GET"),
    "closedloop:sla": ("case-figures", "read", "GET"),
    "closedloop:praise": ("responses", "read", "GET"),
    "closedloop:plans": ("plans", "read", "GET"),
    "closedloop:plan": ("plans", "read", "GET"),
    "closedloop:plan_status": ("plans", "write", "POST"),
    "closedloop:task_done": ("plans", "write", "POST"),
    "textanalytics:insights": ("figures", "read", "GET"),
    "textanalytics:explorer": ("responses", "read", "GET"),
    "textanalytics:themes": ("admin-settings", "read", "GET"),
    "textanalytics:theme_matches": ("admin-settings", "read", "GET"),
    "textanalytics:theme_action": (
        "admin-settings",
        "write",
        "POST",
        {"action": "rename"},
        {"name": "Lines"},
    ),
    "textanalytics:term_remove": ("admin-settings", "write", "POST"),
    "textanalytics:taxonomy_action": (
        "admin-settings",
        "write",
        "POST",
        {"action": "add_theme"},
        {"name": "Parking"},
    ),
    "analytics:dashboard": ("figures", "read", "GET"),
    "analytics:live": ("figures", "read", "GET"),
    "analytics:drivers": ("figures", "read", "GET"),
    "analytics:views": ("figures", "read", "GET"),
    "analytics:save_view": ("own", "write", "POST", {}, {"name": "Mine", "query": "period=7d"}),
    "analytics:view_action": ("own", "write", "POST", {}, {"action": "pin"}),
    "analytics:delete_view": ("own", "write", "POST"),
    "analytics:export_responses": ("response-exports", "read", "GET"),
    "analytics:export_aggregates": ("figures", "read", "GET"),
    "analytics:chart_csv": ("figures", "read", "GET", {"chart": "trend"}),
    "contacts:list": ("contacts", "read", "GET"),
    "contacts:import": ("contacts", "write", "POST"),
    "contacts:detail": ("contacts", "read", "GET"),
    "contacts:export": ("person", "read", "GET"),
    "contacts:erase": ("person", "write", "POST"),
    "privacy:settings": ("admin-settings", "read", "GET"),
    "distribution:kiosks": ("admin-settings", "read", "GET"),
    "distribution:kiosk_create": ("admin-settings", "write", "POST", {"name": "Till 3"}),
    "distribution:kiosk_revoke": ("admin-settings", "write", "POST"),
    "contacts:segments": ("settings", "read", "GET"),
    "contacts:segment_create": ("settings", "write", "POST"),
    "contacts:segment_count": ("contacts", "read", "GET"),
    "contacts:interaction_types": ("settings", "read", "GET"),
    "contacts:interaction_type_create": ("settings", "write", "POST"),
    "contacts:interaction_type_action": ("settings", "write", "POST", {"action": "archive"}),
    "distribution:home": ("figures", "read", "GET"),
    "distribution:campaigns": ("settings", "read", "GET"),
    "distribution:campaign_create": ("settings", "write", "POST"),
    "distribution:campaign": ("settings", "read", "GET"),
    "distribution:campaign_preview": ("settings", "read", "GET"),
    "distribution:campaign_preview_email": ("settings", "read", "GET"),
    "distribution:campaign_test_send": ("settings", "write", "POST"),
    "distribution:non_responders_csv": ("follow-up", "read", "GET"),
    "distribution:campaign_action": ("settings", "write", "POST", {"action": "cancel"}),
    "distribution:triggers": ("settings", "read", "GET"),
    "distribution:trigger_create": ("settings", "write", "POST"),
    "distribution:widgets": ("settings", "read", "GET"),
    "distribution:widget_create": ("settings", "write", "POST"),
    "distribution:widget": ("settings", "read", "GET"),
    "distribution:widget_edit": ("settings", "write", "POST"),
    "distribution:widget_action": ("settings", "write", "POST", {"action": "deactivate"}),
    "distribution:qr": ("settings", "read", "GET"),
    "distribution:qr_image": ("settings", "read", "GET"),
    "distribution:qr_sheet": ("settings", "read", "GET"),
    "distribution:qr_poster": ("settings", "read", "GET"),
    "journeys:list": ("figures", "read", "GET"),
    "journeys:map": ("figures", "read", "GET"),
    "journeys:insights": ("figures", "read", "GET"),
    "journeys:export": ("figures", "read", "GET"),
    "journeys:create": ("admin-settings", "read", "GET"),
    "journeys:edit": ("admin-settings", "read", "GET"),
    "journeys:delete": ("admin-settings", "write", "POST"),
    "journeys:stage_add": ("admin-settings", "write", "POST", {}, {"new-name": "Return"}),
    "journeys:reorder": ("admin-settings", "write", "POST", {}, {"order": "stage_order"}),
    "journeys:stage_action": ("admin-settings", "write", "POST", {}, {"action": "down"}),
    "journeys:touchpoint": ("admin-settings", "write", "POST", {}, {"action": "up"}),
    "exports:list": ("exports", "read", "GET"),
    "exports:create": ("exports", "write", "POST", {}, {"kind": "cases", "fmt": "csv"}),
}
# Public pages (respondents, tracking, sign-in) and the API's own documents: no role involved.
PUBLIC = set(OUTSIDE_THE_MATRIX) - set(PAGE_REACH)


def page_routes() -> dict[str, URLPattern]:
    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, inner)
            elif pattern.name:
                yield namespace + pattern.name, pattern

    return {
        name: p
        for name, p in walk(get_resolver().url_patterns)
        if not name.startswith(("admin:", "api:"))
    }


# --- the world: one organisation, a member of each role at its root -------------------------


@pytest.fixture(scope="module")
def reach_world(django_db_setup, django_db_blocker):
    settings = override_settings(
        TASKS=DUMMY_TASKS, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    )
    with django_db_blocker.unblock(), settings, transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


def _build() -> dict[str, Any]:
    acme = build_org("acme", "A")
    admin = acme.scope("admin")
    root, store = acme.root, acme.units["c1r1s1"]
    members = {"admin": acme.members["admin"], "analyst": acme.members["director"]}
    for role in ("manager", "agent", "viewer"):
        members[role] = make_member(acme.system, f"root-{role}", root, role)
    clerk = make_member(acme.system, "clerk", store, "manager")
    survey = store_visit_survey(acme)
    ann = add_contact(
        acme, "c1r1s1", "ANN", email=MARKERS["contact email"], last_name=MARKERS["contact name"]
    )
    staff = tenancy_services.add_staff(
        actor=acme.system,
        unit=store,
        name="Clara Clerk",
        code=MARKERS["staff code"],
        email=MARKERS["staff email"],
    )
    answered = submit(
        submission=Submission(
            survey=survey,
            answers={"nps": 2, "improve": ["queue"], "comment": MARKERS["comment"]},
            unit=store,
            staff=staff,
            contact=ann,
        )
    ).response
    other = submit(submission=Submission(survey=survey, answers={"nps": 9}, unit=store)).response
    case = casework.open_case(actor=admin, response_id=answered.pk, title="Call back")
    casework.assign(actor=admin, case=case, user_id=members["agent"].user_id)
    rule = closedloop_services.create_rule(
        actor=admin,
        unit=root,
        name="Low",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 3}]},
    )
    playbook = closedloop_services.create_playbook(
        actor=admin, unit=root, name="Sorry", kind="follow_up", subject="Hi", body="Sorry"
    )
    plan = plans.create_plan(actor=admin, unit=root, title="Queues", starts_on=date(2026, 1, 1))
    task = plans.add_task(actor=admin, plan=plan, title="Train")
    contact_services.define_interaction_type(actor=admin, unit=root, key="visit", name="Visit")
    kind = contact_services.define_interaction_type(
        actor=admin, unit=store, key="pickup", name="Pickup"
    )
    campaign = distribution_services.create_campaign(
        actor=admin, unit=root, survey=survey, segment=None, name="Pulse", channel="email"
    )
    Invitation.objects.create(
        organization_id=root.organization_id,
        unit_path=ann.unit_path,
        survey=survey,
        contact=ann,
        campaign=campaign,
        channel="email",
        status="sent",
        sent_at=timezone.now(),
    )
    widget = widgets.create_widget(
        actor=admin, unit=root, survey=survey, name="Shop", allowed_origins=[]
    )
    segment = contact_services.save_segment(actor=admin, unit=root, name="All", filters=[])
    account = contact_services.bulk_add_accounts(
        actor=admin,
        accounts=[Account(unit=store, external_id="ACC-1", name="Initech", tier="high_touch")],
    )[0]
    audience = health_services.save_audience(
        actor=admin, kind="persona", name="Everyone", segment_id=segment.pk
    )
    trigger = triggers.create_trigger(
        actor=admin,
        unit=root,
        survey=survey,
        interaction_type=InteractionType.objects.get(key="visit", unit=root),
        name="After a visit",
    )
    cause = closedloop_services.create_root_cause(actor=admin, name="Waiting")
    kiosk, _secret = kiosks.register(actor=admin, unit=store, name="Till", channel="kiosk")
    taxonomy = text_services.install_default_taxonomy(scope=admin, kind="retail")
    subscription, _secret = webhook_services.create_subscription(
        actor=admin,
        unit=root,
        name="CRM",
        url="https://hooks.example.test/in",
        events=["response.completed"],
    )
    [delivery_id] = webhook_services.publish(
        organization_id=root.organization_id,
        unit_path=store.path,
        event_type="response.completed",
        key="reach",
        data={"marker": "none"},
    )
    theme = taxonomy.themes.get(key="queue")
    board = idea_services.create_board(
        actor=admin, unit=root, name="Ideas", audience="employees", moderate_first=False
    )
    poster = idea_identity.member(members["admin"].user.pk, "admin")
    idea = idea_services.post_idea(board=board, author=poster, title="Brighter signs")
    other_idea = idea_services.post_idea(board=board, author=poster, title="Bigger signs")
    pulse_programme, pulse_report = _pulse(admin, root)
    review_source = review_services.create_source(scope=admin, unit=root, name="Shops", kind="file")
    location = review_services.set_location(
        scope=admin, source=review_source, external_id="s1", unit=store
    )
    review_services.import_file(
        scope=admin,
        source=review_source,
        name="r.csv",
        data=b"id,location,rating,date,text\nr1,s1,2,2026-10-01,Slow\n",
    )
    crm_connector = crm_services.create_connector(
        scope=admin,
        unit=root,
        name="Desk",
        kind="zendesk",
        base_url="https://acme.zendesk.example",
        credentials={"email": "a@acme.test", "api_token": "t", "signing_secret": "s"},
    )
    f360 = f360_services.create_cycle(
        actor=admin,
        unit=root,
        name="Managers",
        deadline=date.today() + timedelta(days=30),
        subject_membership_ids=[clerk.pk],
    )
    journey = journey_services.create_journey(scope=admin, unit=root, name="Buy in store")
    stages = [
        journey_services.add_stage(scope=admin, journey=journey, name=n) for n in ("Visit", "Buy")
    ]
    touchpoint = journey_services.add_touchpoint(
        scope=admin,
        stage=stages[0],
        name="Visit",
        measure=journey_services.Measure(measure="survey", survey_id=survey.pk),
    )
    values = {
        "journey_id": journey.pk,
        "stage_id": stages[0].pk,
        "touchpoint_id": touchpoint.pk,
        "stage_order": f"{stages[1].pk},{stages[0].pk}",
        "survey_id": survey.pk,
        "key": "comment",
        "response_id": answered.pk,
        "user_id": clerk.user_id,
        "membership_id": clerk.pk,
        "unit_id": store.pk,
        "staff_id": staff.pk,
        "rule_id": rule.pk,
        "playbook_id": playbook.pk,
        "case_id": case.pk,
        "plan_id": plan.pk,
        "task_id": task.pk,
        "contact_id": ann.pk,
        "type_id": kind.pk,
        "campaign_id": campaign.pk,
        "segment_id": segment.pk,
        "trigger_id": trigger.pk,
        "cause_id": cause.pk,
        "widget_id": widget.pk,
        "kiosk_id": kiosk.pk,
        "taxonomy_id": taxonomy.pk,
        "theme_id": theme.pk,
        "term_id": theme.terms.exclude(kind="label").first().pk,
        "other_theme": taxonomy.themes.get(key="staff").pk,
        "subscription_id": subscription.pk,
        "scim_token_id": identity_services.create_scim_token(actor=admin, name="idp").token.pk,
        "delivery_id": delivery_id,
        "review_id": review_source.reviews.get().pk,
        "source_id": review_source.pk,
        "location_id": location.pk,
        "board_id": board.pk,
        "idea_id": idea.pk,
        "other_idea": other_idea.pk,
        "programme_id": pulse_programme.pk,
        "report_id": pulse_report.pk,
        "account_id": account.pk,
        "audience_id": audience.pk,
        "connector_id": crm_connector.pk,
        "cycle_id": f360.pk,
        "subject_id": f360.subjects.get().pk,
        "f360_subject": f360.subjects.get().pk,
        "fmt": "csv",
        "kind": "svg",
        # Body references
        "survey": survey.pk,
        "store_unit": store.pk,
        "other_region": acme.units["c1r2"].pk,
        "other_response": other.pk,
        "playbook": playbook.pk,
        "contact": ann.pk,
        "soon": (timezone.now() + timedelta(days=30)).isoformat(),
    }
    own = {}
    for role, membership in members.items():
        token = account_services.create_token(membership=membership, name="mine").token
        view = analytics_services.save_view(
            actor=Scope.of(membership), name="Mine", query="period=30d"
        )
        export = finished_export(membership)
        own[role] = {
            "token_id": token.pk,
            "view_id": view.pk,
            "membership": membership.pk,
            "export_id": export.pk,
        }
    world = {"members": members, "values": values, "own": own}
    for role in ROLES:
        _client(world, role)  # signed in now, inside the module's transaction
    return world


def finished_export(membership) -> Export:
    """A done export of the membership's own, with its file, for the detail and download."""
    export = Export.objects.create(
        organization_id=membership.unit.organization_id,
        membership=membership,
        requested_by=membership.user,
        kind="sla",
        fmt="csv",
        status=ExportStatus.DONE,
        file_name=f"reach-{membership.pk}.csv",
        expires_at=timezone.now() + timedelta(days=1),
    )
    (export_services.folder() / export.file_name).write_text("group,label\n")
    return export


# --- calling --------------------------------------------------------------------------------


def _client(world, role: str) -> Client:
    """One signed-in client per role for the module (signing in writes to the database)."""
    clients = world.setdefault("clients", {})
    if role not in clients:
        clients[role] = Client()
        clients[role].force_login(world["members"][role].user)
    return clients[role]


def _fill(value, values: dict):
    if isinstance(value, str) and value in values:
        return values[value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


def _values(world, role: str) -> dict:
    return {**world["values"], **world["own"][role]}


def _call(client: Client, method: str, url: str, body=None, form=None):
    """One request inside a savepoint that is rolled back, so no call changes the next."""
    with transaction.atomic():
        if form is not None:
            answer = client.post(url, form) if method == "POST" else client.get(url)
        else:
            data = "" if body is None else json.dumps(body)
            answer = client.generic(method, url, data=data, content_type="application/json")
        content = b"".join(answer.streaming_content) if answer.streaming else answer.content
        transaction.set_rollback(True)
    forget_everything()  # nothing read inside the rolled-back savepoint may be kept
    return answer.status_code, content


def _verdict(area: str, verb: str, role: str, status: int) -> str | None:
    """None when the answer matches the table, else what is wrong."""
    grant = TABLE[area][role]
    if verb not in grant.verbs:
        return None if status == 403 else f"should be refused (403), got {status}"
    if status >= 500 or status in (401, 403, 405):
        return f"should be allowed, got {status}"
    if grant.own:
        return None
    if verb == "read" and status != 200:
        return f"should read (200), got {status}"
    if verb == "write" and status == 404:
        return "should write, got 404"
    return None


def _leaks(content: bytes) -> list[str]:
    text = content.decode("utf-8", "replace")
    return [what for what, marker in MARKERS.items() if marker in text]


# --- the tests ------------------------------------------------------------------------------


def _pulse(admin, root):
    """A pulse programme with one wave and one frontline report (its first invitee's)."""
    programme = pulse_services.create_programme(
        actor=admin, unit=root, settings=pulse_services.Settings(name="Pulse")
    )
    wave = pulse_services.open_wave(programme=programme)
    pulse_services.answer(
        invite=wave.invites.first(),
        enps=8,
        drivers={},
        report_category="issue",
        report_text="Reach",
    )
    return programme, programme.reports.get()


def test_every_api_operation_has_a_reach():
    served = schema_operations()
    assert not served - set(API_REACH), (
        f"operations without a reach: {sorted(served - set(API_REACH))}"
    )
    assert not set(API_REACH) - served, (
        f"reach of gone operations: {sorted(set(API_REACH) - served)}"
    )


def test_every_page_has_a_reach_or_is_public():
    routes = set(page_routes())
    missing = routes - set(PAGE_REACH) - PUBLIC
    assert not missing, f"pages without a reach: {sorted(missing)}"
    assert not set(PAGE_REACH) - routes, f"reach of gone pages: {sorted(set(PAGE_REACH) - routes)}"


def test_the_table_names_every_area_used_and_uses_every_area():
    used = {entry[0] for entry in [*API_REACH.values(), *PAGE_REACH.values()]}
    assert used == set(TABLE), used ^ set(TABLE)


def _check_every_role(world, area: str, verb: str, request) -> list[str]:
    """Call `request(role, values)` → (method, url, body, form) as each role; what is wrong."""
    failures = []
    for role in ROLES:
        method, url, body, form = request(role, _values(world, role))
        status, content = _call(_client(world, role), method, url, body, form)
        wrong = _verdict(area, verb, role, status)
        if wrong:
            failures.append(f"{role}: {wrong} {content[:200]!r}")
        elif role == "viewer" and status == 200 and (leaked := _leaks(content)):
            failures.append(f"viewer: leaks {leaked}")
    return failures


@pytest.mark.parametrize(("method", "path"), sorted(API_REACH))
def test_api_operation_reach(reach_world, db, method, path):
    area, verb = API_REACH[(method, path)]
    body, query = BODIES.get((method, path)), QUERIES.get((method, path), "")

    def request(role, values):
        url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
        return method, f"{url}?{query}" if query else url, _fill(body, values), None

    failures = _check_every_role(reach_world, area, verb, request)
    assert not failures, f"{method} {path} ({area} {verb}):\n" + "\n".join(failures)


@pytest.mark.parametrize("name", sorted(PAGE_REACH))
def test_page_reach(reach_world, db, name):
    area, verb, method, *rest = PAGE_REACH[name]
    overrides, form = [*rest, {}, {}][:2]
    converters = page_routes()[name].pattern.converters

    def request(role, values):
        values = {**values, **overrides}
        url = reverse(name, kwargs={param: values[param] for param in converters} or None)
        data = _fill(form, values)
        if name == "web:switch":
            data["membership"] = values["membership"]
        return method, url, None, data

    failures = _check_every_role(reach_world, area, verb, request)
    assert not failures, f"{name} ({area} {verb}):\n" + "\n".join(failures)


def test_the_viewer_lands_on_a_home_that_leads_to_the_dashboard(reach_world, db):
    client = _client(reach_world, "viewer")
    home = client.get(reverse("web:home")).content.decode()
    assert reverse("analytics:dashboard") in home
    assert reverse("web:staff") not in home and reverse("contacts:list") not in home
    dashboard = client.get(reverse("analytics:dashboard") + "?period=365d")
    assert dashboard.status_code == 200
    body = dashboard.content.decode()
    assert "Newest comments" not in body and not _leaks(dashboard.content)


def test_a_staff_member_with_records_sees_what_the_viewer_does_not(reach_world, db):
    """The planted records are there to find: the leak check above would catch them."""
    analyst = _client(reach_world, "analyst")
    contacts = analyst.get("/api/v1/contacts").content
    comments = analyst.get("/api/v1/analytics/dashboard?period=365d").content
    staff = analyst.get("/api/v1/staff").content
    assert _leaks(contacts + comments + staff) == [
        "contact email",
        "contact name",
        "comment",
        "staff email",
        "staff code",
    ]
