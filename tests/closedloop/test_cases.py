"""Working a case: statuses and reopening, assignment, notes, root causes, emails to the
customer from playbooks, SLA and escalation with a controlled clock, and who may do what."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.closedloop.support import give_cause, submit
from tests.factories import make_member
from voxloop.closedloop import casework, escalation, evaluation, selectors, services
from voxloop.closedloop.models import CaseEvent, Notification
from voxloop.contacts.models import Contact
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound

DETRACTOR = {"nps": 4, "improve": ["queue"], "comment": "Waited 20 minutes"}


@pytest.fixture
def case(world, survey, detractor_rule):
    acme = world.acme
    store = acme.units["c1r1s1"]
    contact = Contact.objects.create(
        organization=acme.root.organization, home_unit=store, unit_path=store.path,
        external_id="CUST-1", first_name="Mia", last_name="Chen", email="mia@example.test",
    )  # fmt: skip
    response = submit(survey, DETRACTOR, unit=store, contact=contact)
    [opened] = evaluation.evaluate_response(response_id=response.pk)
    return opened


def test_lifecycle_with_reopen(world, case):
    manager = world.acme.scope("store")
    now = case.created_at + timedelta(hours=2)
    casework.change_status(actor=manager, case=case, status="in_progress", now=now)
    assert case.first_action_at == now
    casework.change_status(actor=manager, case=case, status="waiting", now=now + timedelta(hours=1))
    give_cause(case)
    casework.change_status(
        actor=manager, case=case, status="resolved", now=now + timedelta(hours=3)
    )
    assert case.resolved_at == now + timedelta(hours=3)
    casework.change_status(actor=manager, case=case, status="closed", now=now + timedelta(hours=4))
    casework.change_status(
        actor=manager, case=case, status="in_progress", now=now + timedelta(hours=5)
    )  # reopen
    assert case.status == "in_progress" and case.resolved_at is None and case.closed_at is None
    with pytest.raises(InvalidInput):
        casework.change_status(actor=manager, case=case, status="bogus")
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["opened"] + ["status"] * 5
    assert case.first_action_at == now  # the first action stays the first


def test_closed_cannot_jump_to_waiting(world, case):
    manager = world.acme.scope("store")
    give_cause(case)
    casework.change_status(actor=manager, case=case, status="closed")
    with pytest.raises(Conflict) as error:
        casework.change_status(actor=manager, case=case, status="waiting")
    assert error.value.field == "status"


def test_notes_root_cause_and_audit(world, case):
    from voxloop.tenancy.models import AuditEntry

    acme = world.acme
    admin = acme.scope("admin")
    staff_cause = services.create_root_cause(actor=admin, name="Staff")
    queue_cause = services.create_root_cause(actor=admin, name="Queue too long", parent=staff_cause)
    manager = acme.scope("store")
    casework.add_note(actor=manager, case=case, text="Called, left a voicemail <b>")
    casework.set_root_cause(actor=manager, case=case, root_cause_id=queue_cause.pk)
    assert str(case.root_cause) == "Staff › Queue too long"
    note = case.events.get(kind="note")
    assert note.text == "Called, left a voicemail <b>" and note.actor_label == "a-store"
    assert AuditEntry.objects.filter(action="case.note", target_id=str(case.pk)).exists()
    with pytest.raises(InvalidInput):
        casework.add_note(actor=manager, case=case, text="   ")
    other_cause = services.create_root_cause(actor=world.other.scope("admin"), name="Theirs")
    with pytest.raises(NotFound):
        casework.set_root_cause(actor=manager, case=case, root_cause_id=other_cause.pk)


def test_follow_up_email_from_a_playbook_with_merge_fields(
    world, case, smtp_settings, django_capture_on_commit_callbacks, immediate_tasks
):
    acme = world.acme
    playbook = services.create_playbook(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Apology",
        kind="follow_up",
        subject="About your visit to {{unit}}",
        body="Dear {{first_name}}, I am {{agent}} and I am sorry (case {{case}}).",
    )
    with django_capture_on_commit_callbacks(execute=True):
        casework.email_customer(
            actor=acme.scope("store"), case=case, playbook_id=playbook.pk, extra="A voucher: X1"
        )
    smtp_settings.wait_for(1)
    [mail] = smtp_settings.to("mia@example.test")
    assert mail.recipients == ["mia@example.test"]
    assert mail.message["Subject"] == "About your visit to Store 1.1.1"
    body = mail.message.get_content()
    assert f"Dear Mia, I am a-store and I am sorry (case {case.pk})." in body
    assert "A voucher: X1" in body
    assert case.events.filter(kind="email").exists()


def test_playbooks_refuse_unknown_merge_fields(world):
    acme = world.acme
    with pytest.raises(InvalidInput) as error:
        services.create_playbook(
            actor=acme.scope("admin"), unit=acme.root, name="X", kind="closing", subject="Hi",
            body="{{first_name}} {{password}}",
        )  # fmt: skip
    assert error.value.field == "body" and "password" in error.value.message


def test_assignment_only_to_people_who_see_the_unit(world, case):
    acme = world.acme
    regional = acme.scope("regional")
    casework.assign(actor=regional, case=case, user_id=acme.user("agent").pk)
    assert case.assignee == acme.user("agent")
    with pytest.raises(InvalidInput):
        casework.assign(actor=regional, case=case, user_id=acme.user("sibling_store").pk)
    with pytest.raises(Forbidden):
        casework.assign(actor=acme.scope("agent"), case=case, user_id=acme.user("agent").pk)


def test_agent_sees_and_works_only_own_cases(world, survey, case):
    acme = world.acme
    agent = acme.scope("agent")
    assert list(selectors.visible_cases(agent, box="all")) == []
    with pytest.raises(NotFound):
        selectors.case(agent, case.pk)
    casework.assign(actor=acme.scope("store"), case=case, user_id=acme.user("agent").pk)
    assert [c.pk for c in selectors.visible_cases(agent, box="mine")] == [case.pk]
    casework.add_note(actor=agent, case=case, text="On it")
    with pytest.raises(Forbidden):
        casework.bulk_resolve(
            actor=agent, case_ids=[case.pk], root_cause_id=give_cause(case).pk, note="x"
        )


def test_scoped_case_reads_across_units_and_tenants(world, survey, case):
    acme = world.acme
    assert selectors.case(acme.scope("regional"), case.pk) == case
    assert selectors.case(acme.scope("admin"), case.pk) == case
    assert selectors.case(acme.scope("director"), case.pk) == case  # analysts read
    for outsider in (acme.scope("sibling_store"), world.other.scope("admin")):
        with pytest.raises(NotFound):
            selectors.case(outsider, case.pk)
        assert case.pk not in [c.pk for c in selectors.visible_cases(outsider, box="all")]
        with pytest.raises(NotFound):
            casework.change_status(actor=outsider, case=case, status="closed")
    with pytest.raises(Forbidden):
        selectors.visible_cases(acme.scope("viewer"))
    with pytest.raises(NotFound):
        selectors.visible_cases(acme.scope("store"), unit_id=acme.units["c1r1s2"].pk)


def test_customer_history_beside_the_case(world, survey, case):
    acme = world.acme
    earlier = submit(survey, {"nps": 9}, unit=acme.units["c1r1s1"], contact=case.contact)
    history = selectors.customer_history(acme.scope("store"), case)
    assert [r.pk for r in history["responses"]] == [earlier.pk]


def test_manual_case_from_a_response(world, survey):
    acme = world.acme
    response = submit(survey, {"nps": 8}, unit=acme.units["c1r1s1"])
    opened = casework.open_case(
        actor=acme.scope("store"), response_id=response.pk, title="Call back"
    )
    assert opened.assignee == acme.user("store") and opened.rule is None
    with pytest.raises(Conflict):
        casework.open_case(actor=acme.scope("store"), response_id=response.pk)
    with pytest.raises(NotFound):
        casework.open_case(actor=acme.scope("sibling_store"), response_id=response.pk)
    with pytest.raises(Forbidden):
        casework.open_case(actor=acme.scope("agent"), response_id=response.pk)


def test_bulk_assign_and_close(world, survey, detractor_rule):
    acme = world.acme
    store = acme.units["c1r1s1"]
    cases = [
        evaluation.evaluate_response(response_id=submit(survey, DETRACTOR, unit=store).pk)[0]
        for _ in range(3)
    ]
    ids = [c.pk for c in cases]
    assert (
        casework.bulk_assign(
            actor=acme.scope("regional"), case_ids=ids, user_id=acme.user("agent").pk
        )
        == 3
    )
    cause = give_cause(cases[0])
    with pytest.raises(InvalidInput):
        casework.bulk_resolve(
            actor=acme.scope("regional"), case_ids=ids, root_cause_id=None, note="Done"
        )
    closed = casework.bulk_resolve(
        actor=acme.scope("regional"), case_ids=ids, root_cause_id=cause.pk, note="Done"
    )
    assert closed == 3
    assert set(
        selectors.visible_cases(acme.scope("admin"), box="all").values_list("status", flat=True)
    ) == {"closed"}
    sibling_case = evaluation.evaluate_response(
        response_id=submit(survey, DETRACTOR, unit=acme.units["c1r1s2"]).pk
    )[0]
    with pytest.raises(NotFound):
        casework.bulk_resolve(
            actor=acme.scope("store"),
            case_ids=[ids[0], sibling_case.pk],
            root_cause_id=cause.pk,
            note="x",
        )


def test_escalation_climbs_the_tree_at_due_and_again(world, case, smtp_settings):
    acme = world.acme
    country_manager = make_member(acme.system, "c1-manager", acme.units["c1"], "manager").user
    due = case.due_at
    assert escalation.escalate_overdue(now=due - timedelta(minutes=1)) == 0
    assert escalation.escalate_overdue(now=due + timedelta(minutes=1)) == 1
    assert escalation.escalate_overdue(now=due + timedelta(minutes=2)) == 0  # once per level
    smtp_settings.wait_for(1)
    assert smtp_settings.to(acme.user("regional").email)
    second = case.second_escalation_at
    assert second - due == timedelta(hours=24)
    assert escalation.escalate_overdue(now=second + timedelta(minutes=1)) == 1
    smtp_settings.wait_for(2)
    assert smtp_settings.to(country_manager.email)
    assert "escalation 2" in smtp_settings.to(country_manager.email)[0].message["Subject"]
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert list(case.events.filter(kind="escalated").values_list("data__level", flat=True)) == [
        1,
        2,
    ]
    assert escalation.escalate_overdue(now=second + timedelta(days=30)) == 0
    assert Notification.objects.filter(key__startswith="escalation").count() == 2


def test_resolved_cases_do_not_escalate(world, case):
    give_cause(case)
    casework.change_status(actor=world.acme.scope("store"), case=case, status="resolved")
    assert escalation.escalate_overdue(now=case.due_at + timedelta(days=3)) == 0


def test_sla_hours_per_rule(world, survey):
    acme = world.acme
    services.create_rule(
        actor=acme.scope("admin"), unit=acme.root, name="Urgent", priority="urgent", sla_hours=4,
        conditions={"items": [{"field": "nps", "op": "lte", "value": 2}]},
    )  # fmt: skip
    now = timezone.now()
    [case] = evaluation.evaluate_response(
        response_id=submit(survey, {"nps": 1, "improve": ["queue"]}, unit=acme.units["c1r1s1"]).pk,
        now=now,
    )
    assert case.due_at == now + timedelta(hours=4) and case.priority == "urgent"
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1


def test_anonymous_employee_answers_never_become_cases(world):
    from voxloop.surveys import services as survey_services

    acme = world.acme
    actor = acme.scope("admin")
    pulse = survey_services.create_survey(
        actor=actor,
        unit=acme.root,
        name="Pulse",
        kind="employee",
        default_locale="en",
        locales=[],
        texts={"title": {"en": "Pulse"}},
    )
    survey_services.add_question(actor=actor, survey=pulse, key="enps", type="nps", required=True,
                                 texts={"title": {"en": "Recommend us?"}})  # fmt: skip
    survey_services.publish(actor=actor, survey=pulse)
    low = {"items": [{"field": "nps", "op": "lte", "value": 6}]}
    services.create_rule(actor=actor, unit=acme.root, name="Any low", conditions=low)
    response = submit(pulse, {"enps": 1}, unit=acme.units["c1r1s1"])
    assert evaluation.evaluate_response(response_id=response.pk) == []
