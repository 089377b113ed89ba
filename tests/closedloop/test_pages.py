"""The closed-loop pages for every kind of actor (who gets the page, 403, 404 or sign-in),
then the flows a manager walks through: inbox, bulk actions, a case's forms, rule pages."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from tests.closedloop.support import submit
from tests.factories import YES
from voxloop.closedloop import evaluation, plans, services
from voxloop.closedloop.models import AlertRule, Case, Playbook

ACTORS = ["admin", "regional", "store", "sibling_store", "agent", "viewer", "director"]
ACTORS += ["other_admin", "anonymous"]
CASE_READERS = {"admin", "regional", "store", "director"}
ADMINS = {"admin"}

# route → (needs an object, who gets 200; the rest get 403, 404 or the sign-in page)
CLOSEDLOOP_MATRIX: dict[str, dict] = {
    "closedloop:inbox": {"ok": set(ACTORS) - {"viewer", "anonymous"}, "forbidden": {"viewer"}},
    "closedloop:case": {"ok": CASE_READERS, "forbidden": {"viewer"}},
    "closedloop:rules": {"ok": {"admin", "other_admin"}, "forbidden": "others"},
    "closedloop:rule_new": {"ok": {"admin", "other_admin"}, "forbidden": "others"},
    "closedloop:rule_count": {"ok": {"admin", "other_admin"}, "forbidden": "others"},
    "closedloop:rule": {"ok": ADMINS, "forbidden": "others", "missing": {"other_admin"}},
    "closedloop:playbooks": {"ok": {"admin", "other_admin"}, "forbidden": "others"},
    "closedloop:playbook": {"ok": ADMINS, "forbidden": "others", "missing": {"other_admin"}},
    "closedloop:root_causes": {"ok": {"admin", "other_admin"}, "forbidden": "others"},
    "closedloop:sla": {"ok": set(ACTORS) - {"viewer", "anonymous"}, "forbidden": {"viewer"}},
    # Promoters' own words: records, refused to the aggregate-only viewer.
    "closedloop:praise": {"ok": set(ACTORS) - {"viewer", "anonymous"}, "forbidden": {"viewer"}},
    "closedloop:plans": {"ok": set(ACTORS) - {"anonymous"}, "forbidden": set()},
    # The plan is at the region c1r1: the store below it does not see it.
    "closedloop:plan": {"ok": {"admin", "regional", "viewer", "director"}, "forbidden": set()},
    # POST-only routes, exercised by the flow tests below.
    "closedloop:bulk": {"post": True},
    "closedloop:case_action": {"post": True},
    "closedloop:open": {"post": True},
    "closedloop:rule_delete": {"post": True},
    "closedloop:task_done": {"post": True},
    "closedloop:plan_status": {"post": True},
}


@pytest.fixture
def things(world, survey, detractor_rule):
    acme = world.acme
    response = submit(survey, {"nps": 3, "improve": ["queue"]}, unit=acme.units["c1r1s1"])
    [case] = evaluation.evaluate_response(response_id=response.pk)
    playbook = services.create_playbook(
        actor=acme.scope("admin"), unit=acme.root, name="Sorry", kind="follow_up", subject="Hi",
        body="Dear {{first_name}}",
    )  # fmt: skip
    plan = plans.create_plan(
        actor=acme.scope("regional"), unit=acme.units["c1r1"], title="Shorter queues",
        starts_on=date.today() - timedelta(days=10),
    )  # fmt: skip
    return {"case": case, "rule": detractor_rule, "playbook": playbook, "plan": plan}


def client_for(world, actor: str) -> Client:
    client = Client()
    if actor == "other_admin":
        client.force_login(world.other.user("admin"))
    elif actor != "anonymous":
        client.force_login(world.acme.user(actor))
    return client


def url_of(name: str, things: dict) -> str:
    kwargs = {
        "closedloop:case": {"case_id": things["case"].pk},
        "closedloop:rule": {"rule_id": things["rule"].pk},
        "closedloop:playbook": {"playbook_id": things["playbook"].pk},
        "closedloop:plan": {"plan_id": things["plan"].pk},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("name", [n for n, spec in CLOSEDLOOP_MATRIX.items() if "ok" in spec])
def test_page_matrix(world, things, name):
    spec = CLOSEDLOOP_MATRIX[name]
    for actor in ACTORS:
        answer = client_for(world, actor).get(url_of(name, things))
        if actor == "anonymous":
            expected = 302
        elif actor in spec["ok"]:
            expected = 200
        elif actor in spec.get("missing", set()):
            expected = 404
        elif spec["forbidden"] == "others" or actor in spec["forbidden"]:
            expected = 403
        else:
            expected = 404
        assert answer.status_code == expected, (name, actor, answer.status_code)


def test_inbox_boxes_and_overdue(world, things, survey):
    client = client_for(world, "store")
    case = things["case"]
    mine = client.get("/cases/?box=mine").content.decode()
    assert f"#{case.pk}" in mine
    Case.objects.filter(pk=case.pk).update(due_at=case.created_at - timedelta(hours=1))
    overdue = client.get("/cases/?box=overdue").content.decode()
    assert f"#{case.pk}" in overdue and "Overdue" in overdue
    assert (
        f"#{case.pk}"
        not in client_for(world, "sibling_store").get("/cases/?box=team").content.decode()
    )
    # A filter on another store's code is refused, not widened.
    answer = client.get("/cases/?box=team&unit=AC1R1S2")
    assert f"#{case.pk}" not in answer.content.decode()


def test_bulk_assign_and_close_from_the_inbox(world, things):
    client = client_for(world, "regional")
    case = things["case"]
    answer = client.post(
        "/cases/bulk/",
        {"case_ids": [case.pk], "action": "assign", "assignee": world.acme.user("agent").username},
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.assignee == world.acme.user("agent")
    cause = services.create_root_cause(actor=world.acme.scope("admin"), name="Queue")
    close = {"case_ids": [case.pk], "action": "close", "close-root_cause": cause.pk}
    close["close-note"] = "Second till opened"
    client.post("/cases/bulk/", close | {"confirmed": "yes"})
    case.refresh_from_db()
    assert case.status == "closed" and case.root_cause == cause
    # An agent cannot bulk-close.
    assert (
        client_for(world, "agent")
        .post("/cases/bulk/", {"case_ids": [case.pk], "action": "close"})
        .status_code
        == 403
    )


def test_case_page_forms(world, things, settings):
    case = things["case"]
    client = client_for(world, "store")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "csrfmiddlewaretoken" in page and "Work the case" in page
    base = f"/cases/{case.pk}"
    assert client.post(f"{base}/status/", {"status": "in_progress"}).status_code == 302
    assert client.post(f"{base}/note/", {"text": "<script>alert(1)</script>"}).status_code == 302
    # The plan belongs to the region: the store manager does not see it, the regional does.
    client.post(f"{base}/plan/", {"action_plan": things["plan"].pk})
    assert Case.objects.get(pk=case.pk).action_plan is None
    regional = client_for(world, "regional")
    assert regional.post(f"{base}/plan/", {"action_plan": things["plan"].pk}).status_code == 302
    page = client.get(f"{base}/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    case.refresh_from_db()
    assert case.status == "in_progress" and case.action_plan == things["plan"]
    assert client.post(f"{base}/status/", {"status": "nope"}).status_code == 302
    assert client.post(f"{base}/bogus/", {}).status_code == 400
    # The sibling store's manager cannot act on it (nor see that it exists).
    assert (
        client_for(world, "sibling_store").post(f"{base}/note/", {"text": "x"}).status_code == 404
    )


def test_open_a_case_by_hand(world, survey):
    response = submit(survey, {"nps": 8}, unit=world.acme.units["c1r1s1"])
    answer = client_for(world, "store").post("/cases/open/", {"response_id": response.pk})
    assert answer.status_code == 302
    assert Case.objects.filter(response=response, rule__isnull=True).exists()
    answer = client_for(world, "sibling_store").post("/cases/open/", {"response_id": response.pk})
    assert answer.status_code == 404


def test_rule_pages_create_edit_delete(world, survey):
    client = client_for(world, "admin")
    data = {
        "name": "Rude staff", "unit_code": world.acme.units["c1"].code, "match": "any",
        "nps_max": "2", "words": "rude, 粗鲁", "priority": "high", "sla_hours": "24",
        "second_escalation_hours": "12", "open_case": "on", "notify_roles": ["manager"],
        "email_mode": "immediate", "is_active": "on", "more": "",
    }  # fmt: skip
    answer = client.post("/cases/rules/new/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    rule = AlertRule.objects.get(name="Rude staff")
    assert rule.conditions == {
        "match": "any",
        "items": [
            {"field": "nps", "op": "lte", "value": 2.0},
            {"field": "comment", "op": "contains_any", "value": ["rude", "粗鲁"]},
        ],
    }
    page = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert 'value="rude, 粗鲁"' in page
    bad = client.post(f"/cases/rules/{rule.pk}/", data | {"more": '[{"field": "x"}]'})
    assert bad.status_code == 400 and "Unknown field" in bad.content.decode()
    bad = client.post("/cases/rules/new/", data | {"unit_code": "NOPE"})
    assert bad.status_code == 400
    assert client.post(f"/cases/rules/{rule.pk}/delete/", YES).status_code == 302
    assert not AlertRule.objects.filter(pk=rule.pk).exists()


def test_playbook_and_root_cause_pages(world):
    client = client_for(world, "admin")
    answer = client.post(
        "/cases/playbooks/",
        {"name": "Thanks", "kind": "thank_you", "unit_code": world.acme.root.code,
         "subject": "Thank you {{first_name}}", "body": "We loved having you at {{unit}}."},
    )  # fmt: skip
    assert answer.status_code == 302
    bad = client.post(
        "/cases/playbooks/",
        {"name": "Bad", "kind": "thank_you", "unit_code": world.acme.root.code,
         "subject": "x", "body": "{{secret}}"},
    )  # fmt: skip
    assert bad.status_code == 400 and "secret" in bad.content.decode()
    assert Playbook.objects.filter(name="Thanks").exists()
    assert client.post("/cases/root-causes/", {"name": "Waiting time"}).status_code == 302


def test_plan_pages_and_task_done(world, things):
    plan = things["plan"]
    client = client_for(world, "regional")
    answer = client.post(f"/cases/plans/{plan.pk}/", {"title": "Open a second till"})
    assert answer.status_code == 302
    task = plan.tasks.get()
    client.post(f"/cases/plans/{plan.pk}/tasks/{task.pk}/", {"done": "1"})
    task.refresh_from_db()
    assert task.done
    page = client.get(f"/cases/plans/{plan.pk}/").content.decode()
    assert "Did it work?" in page
    assert client.post(f"/cases/plans/{plan.pk}/status/", {"status": "done"}).status_code == 302
    plan.refresh_from_db()
    assert plan.status == "done"
    viewer = client_for(world, "viewer")
    assert viewer.post(f"/cases/plans/{plan.pk}/status/", {"status": "active"}).status_code == 403
    store = client_for(world, "store")
    assert store.post(f"/cases/plans/{plan.pk}/status/", {"status": "active"}).status_code == 404
    assert (
        client_for(world, "viewer").post(f"/cases/plans/{plan.pk}/", {"title": "x"}).status_code
        == 403
    )
    answer = client.post(
        "/cases/plans/",
        {"title": "Greeting", "unit_code": world.acme.units["c1r1"].code, "status": "active",
         "starts_on": "2026-01-01", "window_days": "30"},
    )  # fmt: skip
    assert answer.status_code == 302


@pytest.mark.parametrize(
    ("language", "title"), [("ja", "ケース"), ("zh-hans", "工单"), ("ro", "Cazuri")]
)
def test_inbox_speaks_the_users_language(world, things, settings, language, title):
    client = client_for(world, "store")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/cases/").content.decode()
    assert f"<h1>{title}</h1>" in page


def test_rule_form_builds_extra_conditions_with_a_group(world, survey):
    client = client_for(world, "admin")
    page = client.get("/cases/rules/new/").content.decode()
    assert 'data-condition-builder="rule-builder"' in page and "Store visit: What should" in page
    group = {"match": "any", "items": [
        {"field": "answer:improve", "op": "includes", "value": "queue"},
        {"field": "csat", "op": "lte", "value": 2},
    ]}  # fmt: skip
    data = {
        "name": "Queues", "unit_code": world.acme.root.code, "match": "all", "nps_max": "6",
        "priority": "normal", "sla_hours": "24", "second_escalation_hours": "12",
        "email_mode": "immediate", "is_active": "on",
        "more": json.dumps({"match": "all", "items": [group]}),
    }  # fmt: skip
    assert client.post("/cases/rules/new/", data).status_code == 302
    rule = AlertRule.objects.get(name="Queues")
    assert rule.conditions["items"][1] == group | {"items": [group["items"][0], {
        "field": "csat", "op": "lte", "value": 2.0}]}  # fmt: skip
    edit = client.get(f"/cases/rules/{rule.pk}/").content.decode()
    assert "answer:improve" in edit  # the group comes back into the builder


def test_rule_builder_counts_what_its_conditions_match(world, survey):
    for score, picks in ((3, ["queue"]), (5, ["staff"]), (9, None)):
        submit(survey, {"nps": score, **({"improve": picks} if picks else {})},
               unit=world.acme.units["c1r1s1"])  # fmt: skip
    tree = {"match": "any", "items": [
        {"field": "answer:improve", "op": "includes", "value": "queue"},
        {"field": "nps", "op": "gte", "value": 9},
    ]}  # fmt: skip
    admin = client_for(world, "admin")
    answer = admin.get("/cases/rules/count/", {"conditions": json.dumps(tree)}).json()
    assert (answer["count"], answer["of"]) == (2, 3)
    assert answer["text"] == "2 of the last 3 responses meet these conditions."
    bad = admin.get("/cases/rules/count/", {"conditions": '{"items": [{"field": "x"}]}'})
    assert bad.status_code == 400 and bad.json()["field"] == "conditions.items.0.field"
    other = client_for(world, "other_admin").get("/cases/rules/count/").json()
    assert other["of"] == 0  # another organisation's admin counts none of ours
