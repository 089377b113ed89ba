"""SLA statistics, the promoter loop, and action plans with their measured effect."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.closedloop.support import give_cause, submit
from voxloop.closedloop import casework, effect, evaluation, plans, selectors, services, sla
from voxloop.closedloop.models import Advocate, Notification, Praise
from voxloop.contacts.models import Contact
from voxloop.errors import InvalidInput

LOW = {"nps": 3, "improve": ["queue"]}


def test_sla_statistics_by_unit_and_assignee(world, survey, detractor_rule):
    acme = world.acme
    t0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
    store, sibling = acme.units["c1r1s1"], acme.units["c1r1s2"]
    fast, slow, overdue, sibling_case = (
        evaluation.evaluate_response(response_id=submit(survey, LOW, unit=u).pk, now=t0)[0]
        for u in (store, store, store, sibling)
    )
    manager = acme.scope("store")
    give_cause(fast), give_cause(slow)
    casework.change_status(
        actor=manager, case=fast, status="in_progress", now=t0 + timedelta(hours=1)
    )
    casework.change_status(actor=manager, case=fast, status="resolved", now=t0 + timedelta(hours=5))
    casework.add_note(actor=manager, case=slow, text="later", now=t0 + timedelta(hours=3))
    casework.change_status(
        actor=manager, case=slow, status="resolved", now=t0 + timedelta(hours=60)
    )  # past 48 h
    now = t0 + timedelta(hours=72)
    figures = sla.sla_statistics(acme.scope("regional"), now=now)
    total = figures["total"]
    assert (total["cases"], total["open"], total["overdue"]) == (4, 2, 2)
    assert total["median_first_action_hours"] == 2.0  # 1 h and 3 h
    assert total["median_resolve_hours"] == 32.5  # 5 h and 60 h
    assert total["within_sla_pct"] == 25.0  # 1 of: 2 resolved + 2 open past due
    by_unit = {row["label"]: row for row in figures["units"]}
    assert by_unit["Store 1.1.1"]["cases"] == 3 and by_unit["Store 1.1.2"]["cases"] == 1
    by_person = {row["label"]: row for row in figures["assignees"]}
    assert by_person["a-store"]["within_sla_pct"] == pytest.approx(100 / 3, abs=0.1)
    # The store manager's figures cover their store only.
    assert sla.sla_statistics(manager, now=now)["total"]["cases"] == 3
    del overdue, sibling_case


def test_promoter_loop_thanks_invites_flags_and_praises(world, survey, smtp_settings):
    acme = world.acme
    admin = acme.scope("admin")
    thanks = services.create_playbook(
        actor=admin, unit=acme.root, name="Thanks", kind="thank_you",
        subject="Thank you, {{first_name}}", body="{{staff}} will be glad to hear it.",
    )  # fmt: skip
    review = services.create_playbook(
        actor=admin, unit=acme.root, name="Review", kind="review",
        subject="Would you tell others?", body="Leave a review of {{unit}}: https://example.test/r",
    )  # fmt: skip
    services.create_rule(
        actor=admin, unit=acme.root, name="Promoters",
        conditions={"items": [{"field": "nps_group", "op": "eq", "value": "promoter"}]},
        open_case=False, recipients=[], thank_you_playbook_id=thanks.pk,
        flag_advocate=True, record_praise=True,
    )  # fmt: skip
    # A review invitation goes to every respondent, never to promoters only (review gating).
    services.create_rule(
        actor=admin,
        unit=acme.root,
        name="Invite a review",
        conditions={},
        open_case=False,
        recipients=[],
        review_playbook_id=review.pk,
    )
    store = acme.units["c1r1s1"]
    clerk = acme.root.organization.staff.get(code="AE111")
    contact = Contact.objects.create(
        organization=acme.root.organization, home_unit=store, unit_path=store.path,
        external_id="P1", first_name="Ron", email="ron@example.test",
    )  # fmt: skip
    response = submit(
        survey, {"nps": 10, "comment": "Clerk was great"}, unit=store, staff=clerk, contact=contact
    )
    assert evaluation.evaluate_response(response_id=response.pk) == []  # no case for praise
    mails = smtp_settings.wait_for(2)
    subjects = sorted(m.message["Subject"] for m in mails)
    assert subjects == ["Thank you, Ron", "Would you tell others?"]
    assert "Clerk will be glad" in smtp_settings.to("ron@example.test")[0].message.get_content()
    assert Advocate.objects.filter(contact=contact).count() == 1
    praise = Praise.objects.get()
    assert praise.staff == clerk and praise.text == "Clerk was great"
    # Shown to the clerk's unit and above, not to the sibling store.
    assert list(selectors.visible_praise(acme.scope("store"))) == [praise]
    assert list(selectors.visible_praise(acme.scope("regional"))) == [praise]
    assert list(selectors.visible_praise(acme.scope("sibling_store"))) == []
    assert list(selectors.visible_praise(world.other.scope("admin"))) == []
    # Evaluating again sends nothing more.
    evaluation.evaluate_response(response_id=response.pk)
    assert Notification.objects.count() == 2


def test_nps_estimate_matches_the_formula_by_hand():
    # 50 promoters, 30 passives, 20 detractors: NPS 30, p_P .5, p_D .2
    est = effect.nps_estimate(50, 30, 20)
    se = 100 * math.sqrt((0.5 + 0.2 - 0.3**2) / 100)
    assert est.value == pytest.approx(30.0)
    assert est.se == pytest.approx(se)  # 7.81
    # The interval: adjusted Wald (0.75 promoters and detractors, 3 answers added) widened
    # by one answer's step, 100/n points (analytics.inference).
    centre = 100 * (50.75 - 20.75) / 103
    se_adj = 100 * math.sqrt(((50.75 + 20.75) / 103 - (centre / 100) ** 2) / 103)
    assert est.low == pytest.approx(centre - 1.959964 * se_adj - 1, abs=1e-4)
    assert est.high == pytest.approx(centre + 1.959964 * se_adj + 1, abs=1e-4)
    assert not est.low_sample and effect.nps_estimate(5, 0, 0).low_sample
    after = effect.nps_estimate(70, 20, 10)  # NPS 60
    change = effect.nps_change(est, after)
    assert change.delta == pytest.approx(30.0)
    # Groups of 100: the exact permutation test on the counts behind each figure
    # (checked against scipy in tests/analytics/test_inference_references.py).
    from voxloop.analytics import inference

    assert change.z is None
    assert change.p_value == pytest.approx(inference.nps_exact_p((70, 20, 10), (50, 30, 20)))
    assert change.significant
    assert effect.nps_change(effect.nps_estimate(0, 0, 0), after).delta is None


def test_action_plan_measures_nps_before_and_after(world, survey):
    from voxloop.responses.models import Response

    acme = world.acme
    region = acme.units["c1r1"]
    start = date(2026, 3, 1)
    store = acme.units["c1r1s1"]

    def answered(score, day):
        response = submit(
            survey,
            {"nps": score, "improve": ["queue"]} if score <= 6 else {"nps": score},
            unit=store,
        )
        when = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
        Response.objects.filter(pk=response.pk).update(submitted_at=when)

    for score in [2, 3, 9, 8]:  # before: 1 promoter, 1 passive, 2 detractors → −25
        answered(score, start - timedelta(days=10))
    for score in [9, 10, 10, 5]:  # after: 3 promoters, 1 detractor → +50
        answered(score, start + timedelta(days=10))
    answered(0, start - timedelta(days=200))  # outside the 90-day windows
    answered(0, start + timedelta(days=10))
    Response.objects.filter(nps=0).filter(submitted_at__gt=datetime(2026, 3, 2, tzinfo=UTC)).update(
        unit_path=acme.units["c2r1s1"].path
    )  # moved out of the plan's scope
    plan = plans.create_plan(
        actor=acme.scope("regional"), unit=region, title="Queues", starts_on=start
    )
    assert plan.baseline == pytest.approx(-25.0)
    result = plans.plan_effect(scope=acme.scope("regional"), plan=plan, today=date(2026, 12, 1))
    assert (result.before.n, result.after.n) == (4, 4)
    assert result.before.value == pytest.approx(-25.0) and result.after.value == pytest.approx(50.0)
    assert result.delta == pytest.approx(75.0) and result.before.low_sample
    task = plans.add_task(
        actor=acme.scope("regional"), plan=plan, title="Second till", due_on=date(2026, 3, 15)
    )
    plans.set_task_done(actor=acme.scope("regional"), task=task, done=True)
    with pytest.raises(InvalidInput):
        plans.create_plan(actor=acme.scope("regional"), unit=region, title="", starts_on=start)
    with pytest.raises(InvalidInput):
        plans.create_plan(actor=acme.scope("regional"), unit=region, title="x", starts_on=None)
