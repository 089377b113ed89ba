"""Pulse programmes through their services: the default question bank and its checks, waves
(one invitation per member of the subtree, drivers in turn), anonymous answers, the one
reminder, the cadence task; and scope: another unit's or tenant's programme, unit and report
are not found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from tests.pulse.support import programme
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxloop.pulse import selectors, services
from voxloop.pulse.models import Answer, Invite, Kind, Report, Wave
from voxloop.tenancy.models import AuditEntry


def test_a_programme_gets_the_default_bank_and_is_audited(world):
    p = programme(world.acme, "c1")
    kinds = list(p.questions.values_list("kind", flat=True))
    assert kinds.count(Kind.ENPS) == 1 and kinds.count(Kind.DRIVER) == 5
    assert AuditEntry.objects.filter(action="pulse.create", target_id=str(p.pk)).exists()
    with pytest.raises(InvalidInput) as low:
        programme(world.acme, floor=3)
    assert low.value.field == "floor"
    with pytest.raises(Forbidden):
        services.create_programme(
            actor=world.acme.scope("store"),
            unit=world.acme.units["c1r1s1"],
            settings=services.Settings(name="Mine"),
        )
    with pytest.raises(NotFound):
        services.create_programme(
            actor=world.acme.scope("country_admin"),
            unit=world.acme.units["c2"],
            settings=services.Settings(name="Theirs"),
        )


def test_a_wave_asks_every_member_once_and_drivers_take_turns(
    world, django_capture_on_commit_callbacks
):
    acme = world.acme
    p = programme(acme, "c1r1", drivers_per_wave=2)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.send_now(actor=acme.system, programme=p)
    # regional and viewer at c1r1, store and agent at s1, sibling_store at s2.
    assert first.invited == 5 == Invite.objects.filter(wave=first).count()
    assert len(mail.outbox) == 5 and "/pulse/a/" in mail.outbox[0].body
    second = services.send_now(actor=acme.system, programme=p)
    assert first.question_ids[0] == second.question_ids[0]  # eNPS every time
    assert set(first.question_ids[1:]).isdisjoint(second.question_ids[1:])
    assert len(second.question_ids) == 3


def test_an_answer_is_kept_without_its_person_and_only_once(world):
    acme = world.acme
    p = programme(acme, "c1r1s1")
    wave = services.send_now(actor=acme.system, programme=p)
    invite = Invite.objects.filter(wave=wave).first()
    services.answer(
        invite=invite,
        enps=9,
        drivers={wave.question_ids[1]: 4},
        comment="Call me on 07700 900123 or ann@example.test",
        report_category="issue",
        report_text="Customers wait for the card reader; ask bob@example.test",
    )
    row = Answer.objects.get(wave=wave)
    assert "example.test" not in row.comment and "07700" not in row.comment
    assert {f.name for f in Answer._meta.get_fields()}.isdisjoint({"user", "invite", "created_at"})
    report = Report.objects.get(programme=p)
    assert "bob@" not in report.text
    invite.refresh_from_db()
    assert invite.answered
    with pytest.raises(Conflict):
        services.answer(invite=invite, enps=3, drivers={})
    with pytest.raises(InvalidInput) as bad:
        services.answer(
            invite=Invite.objects.filter(wave=wave, answered=False)[0], enps=11, drivers={}
        )
    assert bad.value.field == "enps"


def test_one_reminder_goes_to_those_who_have_not_answered(world):
    acme = world.acme
    p = programme(acme, "c1r1", reminder_after_days=2)
    wave = services.send_now(actor=acme.system, programme=p)
    answered = Invite.objects.filter(wave=wave).select_related("user").first()
    services.answer(invite=answered, enps=8, drivers={})
    mail.outbox.clear()
    services.open_due_waves(now=timezone.now() + timedelta(days=1))
    assert mail.outbox == []
    services.open_due_waves(now=timezone.now() + timedelta(days=3))
    assert len(mail.outbox) == 4
    assert answered.user.email not in {m.to[0] for m in mail.outbox}
    mail.outbox.clear()
    services.open_due_waves(now=timezone.now() + timedelta(days=4))
    assert mail.outbox == []


def test_the_cadence_task_opens_due_waves_and_moves_the_next_one(world):
    from voxloop.pulse.tasks import open_due_waves

    acme = world.acme
    p = programme(acme, "c1r1s1", cadence="weekly")
    p.next_wave_at = timezone.now() - timedelta(minutes=1)
    p.save(update_fields=["next_wave_at"])
    assert open_due_waves.call() == 1
    assert open_due_waves.call() == 0
    p.refresh_from_db()
    assert p.next_wave_at > timezone.now() + timedelta(days=6)
    assert Wave.objects.filter(programme=p).count() == 1
    services.update_programme(
        actor=acme.system,
        programme=p,
        settings=services.Settings(name=p.name, cadence="weekly", is_active=False),
    )
    p.next_wave_at = timezone.now() - timedelta(minutes=1)
    p.save(update_fields=["next_wave_at"])
    assert open_due_waves.call() == 0


def test_programmes_and_results_stay_in_scope(world):
    acme = world.acme
    p = programme(acme, "root")
    store = acme.scope("store")
    assert selectors.programme(store, p.pk) == p
    # A store manager reads the company programme for the store's subtree, nothing wider.
    assert selectors.unit_in(store, p, None) == acme.units["c1r1s1"]
    for unit in ("c1r1s2", "c1r1"):
        with pytest.raises(NotFound):
            selectors.unit_in(store, p, acme.units[unit].pk)
    with pytest.raises(NotFound):
        selectors.programme(world.other.scope("admin"), p.pk)
    local = programme(acme, "c1r1s1", name="Store pulse")
    with pytest.raises(NotFound):
        selectors.programme(acme.scope("sibling_store"), local.pk)


def test_a_report_becomes_an_action_plan_for_its_units_managers_only(world):
    acme = world.acme
    p = programme(acme, "c1r1")
    wave = services.send_now(actor=acme.system, programme=p)
    invite = Invite.objects.get(wave=wave, unit=acme.units["c1r1s1"], user=acme.user("agent"))
    services.answer(
        invite=invite, enps=7, drivers={}, report_category="suggestion", report_text="Baskets"
    )
    report = Report.objects.get(programme=p)
    assert list(selectors.reports(acme.scope("store"), p)) == [report]
    assert not selectors.reports(acme.scope("sibling_store"), p).exists()
    with pytest.raises(NotFound):
        services.report_to_plan(actor=acme.scope("sibling_store"), report=report)
    with pytest.raises(Forbidden):
        selectors.report(acme.scope("agent"), report.pk)
    done = services.report_to_plan(actor=acme.scope("store"), report=report)
    assert done.plan.unit == acme.units["c1r1s1"] and "Baskets" in done.plan.description
    with pytest.raises(Conflict):
        services.report_to_plan(actor=acme.scope("store"), report=report)
