"""Every closed-loop API operation × every kind of caller, against objects at the store
c1r1s1 of Acme (the case, the rule at the company, the plan at the region c1r1). Each request
runs in a savepoint that is rolled back. Expectations are written out by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from django.db import transaction

from tests.api.support import ACTORS, url
from tests.closedloop.support import give_cause, submit
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import evaluation, plans, services

UNAUTHENTICATED = {"anonymous", "wrong_token", "revoked_token"}
NO_MEMBERSHIP = {"loner"}
CASE_READERS = {"admin", "country_admin", "regional", "store", "analyst", "director"}
CASE_ACTORS = {"admin", "country_admin", "regional", "store"}
ORG_ADMINS = {"admin", "other_admin"}  # admins of a whole organisation
PLAN_READERS = {"admin", "country_admin", "regional", "viewer", "analyst", "director"}


@dataclass(frozen=True)
class Op:
    method: str
    path: Callable[[dict], str]
    ok: set[str]
    status: int = 200
    body: Callable[[dict], dict | None] = lambda t: None
    # Callers with a membership who may not: 403 for a role that never may, 404 for an object
    # they cannot see. Anything else in neither set is a 404.
    forbidden: set[str] = frozenset()


MEMBERS_BUT_VIEWER = {"admin", "country_admin", "regional", "store", "sibling_store", "agent"}
MEMBERS_BUT_VIEWER |= {"analyst", "director", "other_admin"}
CONFIG_FORBIDDEN = {"regional", "store", "sibling_store", "agent", "viewer", "analyst", "director"}

CLOSEDLOOP_API_MATRIX: dict[str, Op] = {
    "api:alert_rules": Op("GET", lambda t: url("alert_rules"), ORG_ADMINS | {"country_admin"},
                          forbidden=CONFIG_FORBIDDEN),
    "api:alert_rule_create": Op(
        "POST", lambda t: url("alert_rule_create"), ORG_ADMINS | {"country_admin"}, 201,
        body=lambda t: {"name": "Low", "conditions": {"items": [
            {"field": "nps", "op": "lte", "value": 3}]}},
        forbidden=CONFIG_FORBIDDEN,
    ),
    # The rule is at the company: a country admin does not see it.
    "api:alert_rule": Op("GET", lambda t: url("alert_rule", rule_id=t["rule"].pk), {"admin"},
                         forbidden=CONFIG_FORBIDDEN),
    "api:alert_rule_update": Op(
        "PATCH", lambda t: url("alert_rule_update", rule_id=t["rule"].pk), {"admin"},
        body=lambda t: {"sla_hours": 12}, forbidden=CONFIG_FORBIDDEN,
    ),
    "api:alert_rule_delete": Op(
        "DELETE", lambda t: url("alert_rule_delete", rule_id=t["rule"].pk), {"admin"}, 204,
        forbidden=CONFIG_FORBIDDEN,
    ),
    "api:cases": Op("GET", lambda t: url("cases") + "?box=all", MEMBERS_BUT_VIEWER,
                    forbidden={"viewer"}),
    "api:case_sla": Op("GET", lambda t: url("case_sla"), MEMBERS_BUT_VIEWER, forbidden={"viewer"}),
    "api:case": Op("GET", lambda t: url("case", case_id=t["case"].pk), CASE_READERS,
                   forbidden={"viewer"}),
    "api:case_update": Op(
        "PATCH", lambda t: url("case_update", case_id=t["case"].pk), CASE_ACTORS,
        body=lambda t: {"status": "in_progress"}, forbidden={"viewer", "analyst", "director"},
    ),
    "api:case_note": Op(
        "POST", lambda t: url("case_note", case_id=t["case"].pk), CASE_ACTORS, 201,
        body=lambda t: {"text": "Called back"}, forbidden={"viewer", "analyst", "director"},
    ),
    "api:case_email": Op(
        "POST", lambda t: url("case_email", case_id=t["case"].pk), CASE_ACTORS, 202,
        body=lambda t: {"playbook_id": t["playbook"].pk},
        forbidden={"viewer", "analyst", "director"},
    ),
    "api:case_create": Op(
        "POST", lambda t: url("case_create"), CASE_ACTORS, 201,
        body=lambda t: {"response_id": t["other_response"].pk},
        forbidden={"viewer", "analyst", "director", "agent"},
    ),
    "api:playbooks": Op("GET", lambda t: url("playbooks"), MEMBERS_BUT_VIEWER,
                        forbidden={"viewer"}),
    "api:playbook_create": Op(
        "POST", lambda t: url("playbook_create"), ORG_ADMINS | {"country_admin"}, 201,
        body=lambda t: {"name": "Hi", "kind": "closing", "subject": "Hi", "body": "Done."},
        forbidden=CONFIG_FORBIDDEN,
    ),
    # The playbook is the company's: read below, changed only by the top unit's admin.
    "api:playbook": Op("GET", lambda t: url("playbook", playbook_id=t["playbook"].pk),
                       MEMBERS_BUT_VIEWER - {"other_admin"}, forbidden={"viewer"}),
    "api:playbook_update": Op(
        "PATCH", lambda t: url("playbook_update", playbook_id=t["playbook"].pk), {"admin"},
        body=lambda t: {"subject": "Hello"}, forbidden=CONFIG_FORBIDDEN | {"country_admin"},
    ),
    "api:playbook_delete": Op(
        "DELETE", lambda t: url("playbook_delete", playbook_id=t["playbook"].pk), {"admin"},
        204, forbidden=CONFIG_FORBIDDEN | {"country_admin"},
    ),
    # The root-cause taxonomy is the organisation's: for those who handle or configure cases.
    "api:root_causes": Op("GET", lambda t: url("root_causes"), MEMBERS_BUT_VIEWER,
                          forbidden={"viewer"}),
    "api:root_cause_create": Op(
        "POST", lambda t: url("root_cause_create"), ORG_ADMINS | {"country_admin"}, 201,
        body=lambda t: {"name": "Parking"}, forbidden=CONFIG_FORBIDDEN,
    ),
    "api:root_cause": Op("GET", lambda t: url("root_cause", cause_id=t["cause"].pk),
                         MEMBERS_BUT_VIEWER - {"other_admin"}, forbidden={"viewer"}),
    "api:root_cause_update": Op(
        "PATCH", lambda t: url("root_cause_update", cause_id=t["cause"].pk),
        {"admin", "country_admin"}, body=lambda t: {"name": "Queues"},
        forbidden=CONFIG_FORBIDDEN,
    ),
    "api:root_cause_delete": Op(
        "DELETE", lambda t: url("root_cause_delete", cause_id=t["cause"].pk),
        {"admin", "country_admin"}, 204, forbidden=CONFIG_FORBIDDEN,
    ),
    "api:action_plans": Op("GET", lambda t: url("action_plans"),
                           MEMBERS_BUT_VIEWER | {"viewer"}),
    "api:action_plan_create": Op(
        "POST", lambda t: url("action_plan_create"),
        {"admin", "country_admin", "regional", "store", "sibling_store", "other_admin"}, 201,
        body=lambda t: {"title": "Fix it", "starts_on": "2026-01-01"},
        forbidden={"agent", "viewer", "analyst", "director"},
    ),
    "api:action_plan": Op("GET", lambda t: url("action_plan", plan_id=t["plan"].pk),
                          PLAN_READERS),
    "api:action_plan_update": Op(
        "PATCH", lambda t: url("action_plan_update", plan_id=t["plan"].pk),
        {"admin", "country_admin", "regional"}, body=lambda t: {"status": "done"},
        forbidden={"viewer", "analyst", "director"},
    ),
    "api:action_plan_task": Op(
        "POST", lambda t: url("action_plan_task", plan_id=t["plan"].pk),
        {"admin", "country_admin", "regional"}, 201, body=lambda t: {"title": "Train"},
        forbidden={"viewer", "analyst", "director"},
    ),
    "api:action_plan_task_update": Op(
        "PATCH",
        lambda t: url("action_plan_task_update", plan_id=t["plan"].pk, task_id=t["task"].pk),
        {"admin", "country_admin", "regional"}, body=lambda t: {"done": True},
        forbidden={"viewer", "analyst", "director"},
    ),
}  # fmt: skip


@pytest.fixture
def targets(api_world):
    acme = api_world.world.acme
    survey = store_visit_survey(acme)
    services.create_rule(
        actor=acme.scope("admin"), unit=acme.root, name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
    )  # fmt: skip
    from voxloop.contacts.models import Contact

    store = acme.units["c1r1s1"]
    contact = Contact.objects.create(
        organization=acme.root.organization, home_unit=store, unit_path=store.path,
        external_id="X1", email="x1@example.test",
    )  # fmt: skip
    response = submit(survey, {"nps": 2, "improve": ["queue"]}, unit=store, contact=contact)
    [case] = evaluation.evaluate_response(response_id=response.pk)
    plan = plans.create_plan(
        actor=acme.scope("regional"),
        unit=acme.units["c1r1"],
        title="Queues",
        starts_on=date(2026, 1, 1),
        window_days=365,
    )
    return {
        "case": case,
        "rule": case.rule,
        "playbook": services.create_playbook(
            actor=acme.scope("admin"),
            unit=acme.root,
            name="Sorry",
            kind="follow_up",
            subject="Hi",
            body="Sorry {{first_name}}",
        ),
        "plan": plan,
        "task": plans.add_task(actor=acme.scope("regional"), plan=plan, title="Train"),
        "other_response": submit(survey, {"nps": 9}, unit=store),
        "cause": services.create_root_cause(actor=acme.scope("admin"), name="Waiting"),
    }


@pytest.mark.parametrize("name", sorted(CLOSEDLOOP_API_MATRIX))
def test_closedloop_api_matrix(api_world, targets, name):
    op = CLOSEDLOOP_API_MATRIX[name]
    failures = []
    for actor in ACTORS:
        if actor in UNAUTHENTICATED:
            expected = 401
        elif actor in NO_MEMBERSHIP:
            expected = 403
        elif actor in op.ok:
            expected = op.status
        elif actor in op.forbidden:
            expected = 403
        else:
            expected = 404
        with transaction.atomic():
            answer = api_world.call(actor, op.method, op.path(targets), op.body(targets))
            transaction.set_rollback(True)
        if answer.status_code != expected:
            failures.append((actor, answer.status_code, expected, answer.content[:200]))
    assert not failures, failures


def test_case_list_leaks_nothing(api_world, targets):
    case_id = targets["case"].pk
    for actor in ("sibling_store", "other_admin", "agent"):
        items = api_world.call(actor, "GET", url("cases") + "?box=all").json()["items"]
        assert case_id not in [i["id"] for i in items], actor
    items = api_world.call("store", "GET", url("cases") + "?box=all").json()["items"]
    assert [i["id"] for i in items] == [case_id]


def test_bad_input_names_the_field(api_world, targets):
    def error(method, path, body):
        answer = api_world.call("admin", method, path, body)
        return answer.status_code, answer.json()["error"]["field"]

    rules = url("alert_rule_create")
    assert error("POST", rules, {"name": "x", "conditions": {"items": [{"field": "bogus"}]}}) == (
        400, "conditions.items.0.field",
    )  # fmt: skip
    assert error("POST", rules, {"name": "x", "conditions": {}, "sla_hours": 0}) == (
        400, "sla_hours",
    )  # fmt: skip
    assert error("POST", rules, {"name": "x", "conditions": {}, "unit_code": "NOPE"}) == (
        404, "unit_code",
    )  # fmt: skip
    bad_hook = {"name": "x", "conditions": {}, "webhooks": [{"url": "ftp://x"}]}
    assert error("POST", rules, bad_hook) == (400, "webhooks.0.url")
    case = url("case_update", case_id=targets["case"].pk)
    # A status outside the documented set is refused by the schema (decision 0028): a 422.
    assert error("PATCH", case, {"status": "gone"}) == (422, "status")
    assert error("PATCH", case, {"assignee_id": 999999}) == (400, "assignee_id")
    assert error("PATCH", case, {"status": "closed"}) == (400, "root_cause_id")
    give_cause(targets["case"])
    assert api_world.call("admin", "PATCH", case, {"status": "closed"}).status_code == 200
    assert error("PATCH", case, {"status": "waiting"}) == (409, "status")


def test_webhook_secrets_are_write_only(api_world, targets):
    body = {
        "name": "Hook", "conditions": {},
        "webhooks": [{"kind": "webhook", "url": "https://example.test/h", "secret": "zzz"}],
    }  # fmt: skip
    created = api_world.call("admin", "POST", url("alert_rule_create"), body).json()
    assert created["webhooks"] == [{"kind": "webhook", "url": "https://example.test/h"}]


def test_plan_effect_over_the_api(api_world, targets):
    answer = api_world.call("regional", "GET", url("action_plan", plan_id=targets["plan"].pk))
    effect = answer.json()["effect"]
    assert effect["after"]["n"] == 2 and effect["before"]["n"] == 0
