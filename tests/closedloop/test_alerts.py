"""From a detractor's answer to a case and an email at the nearest manager, end to end."""

import threading

import pytest
from django.db import connection, connections
from django_tasks_db.models import DBTaskResult

from tests.closedloop.support import submit
from tests.factories import build_org
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import evaluation, services
from voxloop.closedloop.models import Case, CaseEvent, Notification
from voxloop.tenancy import services as tenancy_services

DETRACTOR = {"nps": 3, "improve": ["queue"], "comment": "The staff were rude"}


def test_detractor_opens_a_case_and_emails_the_store_manager(
    world,
    survey,
    detractor_rule,
    immediate_tasks,
    smtp_settings,
    django_capture_on_commit_callbacks,
):
    store = world.acme.units["c1r1s1"]
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, DETRACTOR, unit=store)
    case = Case.objects.get(response=response)
    manager = world.acme.user("store")
    assert case.rule == detractor_rule and case.unit == store and case.unit_path == store.path
    assert case.assignee == manager and case.status == "new"
    assert (case.due_at - case.created_at).total_seconds() == 48 * 3600
    [mail] = smtp_settings.wait_for(1)
    assert mail.recipients == [manager.email]
    assert f"#{case.pk}" in mail.message["Subject"]
    assert "The staff were rude" in mail.message.get_content()
    assert Notification.objects.get(case=case).status == "sent"
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()


def test_the_receiver_only_enqueues(
    world, survey, detractor_rule, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    assert not Case.objects.exists()  # nothing done in the request
    [queued] = DBTaskResult.objects.filter(task_path__endswith="evaluate_responses")
    assert queued.args_kwargs["args"] == [response.organization_id, [response.pk]]
    assert queued.priority == 100  # ahead of counting, text analysis and campaigns


def test_promoters_and_other_surveys_open_nothing(world, survey, detractor_rule):
    store = world.acme.units["c1r1s1"]
    assert evaluation.evaluate_response(response_id=submit(survey, {"nps": 9}, unit=store).pk) == []
    other = store_visit_survey(world.acme)
    assert evaluation.evaluate_response(response_id=submit(other, DETRACTOR, unit=store).pk) == []
    assert not Case.objects.exists()


def test_nearest_manager_up_the_tree_gets_it(world, survey, detractor_rule):
    # c1r2s1 has no manager of its own, nor has its region: the nearest is … nobody in c1;
    # give the region one and it goes there.
    acme = world.acme
    from tests.factories import make_member

    region_manager = make_member(acme.system, "c1r2-manager", acme.units["c1r2"], "manager").user
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=acme.units["c1r2s1"]).pk
    )
    assert case.assignee == region_manager
    # The store under the regional manager who has a store manager: the store manager.
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=acme.units["c1r1s2"]).pk
    )
    assert case.assignee == acme.user("sibling_store")


def test_round_robin_among_a_units_managers(world, survey, detractor_rule):
    acme = world.acme
    from tests.factories import make_member

    second = make_member(acme.system, "second-manager", acme.units["c1r1s1"], "manager").user
    store = acme.units["c1r1s1"]
    owners = [
        evaluation.evaluate_response(response_id=submit(survey, DETRACTOR, unit=store).pk)[
            0
        ].assignee
        for _ in range(4)
    ]
    assert owners == [acme.user("store"), second, acme.user("store"), second]


def test_and_or_conditions_and_words(world, survey):
    acme = world.acme
    store = acme.units["c1r1s1"]
    any_rule = services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.units["c1"],
        name="Rude or very low",
        conditions={
            "match": "any",
            "items": [
                {"field": "nps", "op": "lte", "value": 2},
                {"field": "comment", "op": "contains_any", "value": ["rude", "脏"]},
            ],
        },
    )
    all_rule = services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Queue and unhappy",
        conditions={
            "match": "all",
            "items": [
                {"field": "answer:improve", "op": "includes", "value": "queue"},
                {"field": "csat", "op": "lte", "value": 2},
            ],
        },
    )

    def rules_hit(answers, unit=store):
        return {
            c.rule.name
            for c in evaluation.evaluate_response(response_id=submit(survey, answers, unit=unit).pk)
        }

    assert rules_hit({"nps": 5, "improve": ["staff"], "comment": "prudent"}) == set()
    assert rules_hit({"nps": 5, "improve": ["staff"], "comment": "so RUDE!"}) == {any_rule.name}
    assert rules_hit({"nps": 6, "improve": ["staff"], "comment": "店里很脏"}) == {any_rule.name}
    assert rules_hit({"nps": 1, "improve": ["queue"], "csat": 1}) == {any_rule.name, all_rule.name}
    # The c1 rule stays inside its subtree: a store in the second country is not its business.
    assert rules_hit({"nps": 1, "improve": ["queue"], "csat": 1}, acme.units["c2r1s1"]) == {
        all_rule.name
    }


def test_rules_never_cross_tenants(world, survey, detractor_rule):
    other = world.other
    other_survey = store_visit_survey(other)
    response = submit(other_survey, DETRACTOR, unit=other.units["c1r1s1"])
    assert evaluation.evaluate_response(response_id=response.pk) == []


def test_evaluating_twice_opens_one_case_and_sends_one_email(
    world, survey, detractor_rule, smtp_settings
):
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    assert len(evaluation.evaluate_response(response_id=response.pk)) == 1
    assert evaluation.evaluate_response(response_id=response.pk) == []
    assert Case.objects.count() == 1 and Notification.objects.count() == 1
    smtp_settings.wait_for(1)
    assert len(smtp_settings.messages) == 1


def test_recipients_team_lead_account_owner_and_named_users(world, survey, smtp_settings):
    from voxloop.contacts.models import Account, Contact

    acme = world.acme
    store = acme.units["c1r1s2"]
    owner = acme.user("regional")
    account = Account.objects.create(
        organization=acme.root.organization, unit=acme.root, unit_path=acme.root.path,
        external_id="ACC1", name="Big Co", tier="low_touch", owner=owner,
    )  # fmt: skip
    contact = Contact.objects.create(
        organization=acme.root.organization, home_unit=store, unit_path=store.path,
        external_id="C1", first_name="Ann", email="ann@example.test", account=account,
    )  # fmt: skip
    # The clerk at c1r1s1 served a customer at c1r1s2: their lead is c1r1s1's manager.
    clerk = acme.root.organization.staff.get(code="AE111")
    named = acme.user("director")
    services.create_rule(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Everyone",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
        recipients=[
            {"type": "team_lead"},
            {"type": "account_owner"},
            {"type": "user", "user_id": named.pk},
        ],
    )
    response = submit(survey, DETRACTOR, unit=store, staff=clerk, contact=contact)
    evaluation.evaluate_response(response_id=response.pk)
    smtp_settings.wait_for(3)
    got = sorted(r for m in smtp_settings.messages for r in m.recipients)
    assert got == sorted([acme.user("store").email, owner.email, named.email])


def test_high_touch_accounts_go_to_their_account_manager(world, survey, detractor_rule):
    from voxloop.contacts.models import Account, Contact

    acme = world.acme
    store = acme.units["c1r1s1"]
    owner = acme.user("regional")
    account = Account.objects.create(
        organization=acme.root.organization, unit=acme.root, unit_path=acme.root.path,
        external_id="ACC2", name="Key Co", tier="high_touch", owner=owner,
    )  # fmt: skip
    contact = Contact.objects.create(
        organization=acme.root.organization, home_unit=store, unit_path=store.path,
        external_id="C2", account=account,
    )  # fmt: skip
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=store, contact=contact).pk
    )
    assert case.assignee == owner


def test_a_unit_move_carries_its_cases(world, survey, detractor_rule):
    acme = world.acme
    store = acme.units["c1r1s1"]
    [case] = evaluation.evaluate_response(response_id=submit(survey, DETRACTOR, unit=store).pk)
    tenancy_services.move_unit(actor=acme.system, unit=store, new_parent=acme.units["c2r1"])
    store.refresh_from_db()
    case.refresh_from_db()
    assert case.unit_path == store.path


@pytest.mark.django_db(transaction=True)
def test_concurrent_evaluations_open_one_case():
    org = build_org("race", "R")
    survey = store_visit_survey(org)
    services.create_rule(
        actor=org.scope("admin"),
        unit=org.root,
        name="Detractor",
        conditions={"items": [{"field": "nps", "op": "lte", "value": 6}]},
    )
    response = submit(survey, DETRACTOR, unit=org.units["c1r1s1"])
    barrier = threading.Barrier(6)
    opened, errors = [], []

    def worker():
        try:
            barrier.wait()
            opened.extend(evaluation.evaluate_response(response_id=response.pk))
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if connection.vendor == "sqlite" and errors:
        pytest.skip("SQLite's in-memory test database is not shared across threads")
    assert errors == []
    assert len(opened) == 1
    assert Case.objects.filter(response=response).count() == 1
    assert Notification.objects.filter(case__response=response).count() == 1
