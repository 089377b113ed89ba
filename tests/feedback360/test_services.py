"""360 services: raters come from the hierarchy (and customers from closed cases), each rater
answers once and the answer keeps no rater, HR of another unit or tenant finds nothing, the
report opens at closing with its floors, and the invitations and the one reminder reach a
real SMTP server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.contacts.helpers import add_contact
from tests.feedback360.support import answer_all, invitations, regional_cycle
from voxloop.closedloop.models import Case
from voxloop.errors import Conflict, Forbidden, InvalidInput, NotFound
from voxloop.feedback360 import selectors, services
from voxloop.feedback360.models import Answer, Invitation


def _groups(cycle) -> dict[str, int]:
    found: dict[str, int] = {}
    for invitation in Invitation.objects.filter(subject__cycle=cycle):
        found[invitation.relationship] = found.get(invitation.relationship, 0) + 1
    return found


def test_raters_come_from_the_hierarchy_and_customers_from_closed_cases(world):
    acme = world.acme
    regional = acme.user("regional")
    for key, status in (("ANN", "closed"), ("BOB", "resolved"), ("CAT", "in_progress")):
        Case.objects.create(
            organization_id=acme.root.organization_id,
            unit=acme.units["c1r1s1"],
            unit_path=acme.units["c1r1s1"].path,
            contact=add_contact(acme, "c1r1s1", key),
            title="Call back",
            status=status,
            assignee=regional,
            created_at=timezone.now(),
            due_at=timezone.now(),
        )
    cycle = regional_cycle(acme, include_customers=True)
    assert _groups(cycle) == {"self": 1, "manager": 1, "report": 3, "peer": 2, "customer": 2}
    [manager] = invitations(cycle, "manager")
    assert manager.user == acme.user("country_admin")
    assert {i.email for i in invitations(cycle, "customer")} == {
        "ann@example.test",
        "bob@example.test",
    }


def test_one_answer_per_rater_and_the_answer_keeps_no_rater(world):
    cycle = regional_cycle(world.acme)
    [mine] = invitations(cycle, "self")
    ids = list(cycle.competencies.values_list("pk", flat=True))
    with pytest.raises(InvalidInput):
        services.answer(invitation=mine, ratings={ids[0]: 9})
    services.answer(invitation=mine, ratings=dict.fromkeys(ids, 4), comment="Fine")
    with pytest.raises(Conflict):
        services.answer(invitation=mine, ratings=dict.fromkeys(ids, 2))
    assert Answer.objects.filter(subject__cycle=cycle).count() == 1
    names = {f.name for f in Answer._meta.get_fields()}
    assert not names & {"user", "invitation", "email", "contact_id", "created_at"}
    assert not {f.name for f in Invitation._meta.get_fields()} & {"answered_at", "answer"}


def test_hr_of_another_unit_or_tenant_finds_nothing(world):
    cycle = regional_cycle(world.acme)
    subject = cycle.subjects.get()
    for outsider in (world.other.scope("admin"), world.acme.scope("country_admin")):
        if outsider.covers_path(cycle.unit_path):
            continue
        with pytest.raises(NotFound):
            selectors.cycle(outsider, cycle.pk)
        with pytest.raises(NotFound):
            selectors.subject(outsider, subject.pk)
        with pytest.raises(NotFound):
            services.close(actor=outsider, cycle=cycle)
    with pytest.raises(Forbidden):
        selectors.visible_cycles(world.acme.scope("regional"))
    assert selectors.visible_cycles(world.other.scope("admin")).count() == 0


def test_the_report_opens_at_closing_and_keeps_its_floors(world):
    cycle = regional_cycle(world.acme)
    answer_all(cycle, "self", 4)
    answer_all(cycle, "manager", 3, "Decides fast, Call me on +40 721 234 567")
    answer_all(cycle, "report", 5, "Great coach")
    answer_all(cycle, "peer", 1, "Peer remark")  # 2 peers: under the floor of 3
    subject = cycle.subjects.get()
    assert selectors.report(subject) is None
    services.close(actor=world.acme.system, cycle=cycle)
    subject.refresh_from_db()
    report = selectors.report(subject)
    assert report.columns == ["self", "manager", "report", "others"]
    cells = report.rows[0]["cells"]
    assert (cells["others"]["n"], cells["others"]["value"]) == (4, 4.5)
    assert cells["report"]["low"] < 5.0 or cells["report"]["high"] <= 5.0
    flat = str(report.comments)
    assert "Peer remark" not in flat and "Great coach" in flat and "721 234" not in flat


def test_invitations_and_one_reminder_by_email(
    world, smtp_settings, django_capture_on_commit_callbacks
):
    cycle = regional_cycle(world.acme, days=3)
    with django_capture_on_commit_callbacks(execute=True):
        services.start(actor=world.acme.system, cycle=cycle)
    raters = Invitation.objects.filter(subject__cycle=cycle).exclude(email="")
    sent = smtp_settings.wait_for(raters.count())
    assert all("/feedback360/a/" in m.message.get_body().get_content() for m in sent)
    answer_all(cycle, "report", 4)
    today = timezone.localdate()
    assert services.remind_and_close_due(today=today)["reminded"] == raters.count() - 3
    assert services.remind_and_close_due(today=today)["reminded"] == 0
    reminders = smtp_settings.wait_for(2 * raters.count() - 3)[raters.count() :]
    reported = {i.email for i in invitations(cycle, "report")}
    assert all(m.message["Subject"].startswith("Reminder") for m in reminders)
    assert not reported & {r for m in reminders for r in m.recipients}
    closed = services.remind_and_close_due(today=today + timedelta(days=4))["closed"]
    assert closed == 1 and not selectors.cycle(world.acme.system, cycle.pk).is_open


def test_erasing_a_customer_clears_their_invitation_and_keeps_their_answer(world):
    from django.test import Client

    from voxloop.feedback360 import links
    from voxloop.privacy import erasure

    acme = world.acme
    ann = add_contact(acme, "c1r1s1", "ANN", email="ann@example.test")
    cycle = regional_cycle(acme)
    subject = cycle.subjects.get()
    asked = Invitation.objects.create(
        subject=subject, relationship="customer", contact_id=ann.pk, email="ann@example.test"
    )
    ids = cycle.competencies.values_list("pk", flat=True)
    services.answer(invitation=asked, ratings=dict.fromkeys(ids, 5), comment="Kind")
    token = links.token_of(asked)
    admin = Client()
    admin.force_login(acme.user("admin"))
    asked_first = admin.get(f"/contacts/{ann.pk}/erase/").content.decode()
    assert "Their invitations to rate someone in 360 feedback lose their address" in asked_first
    report = erasure.erase_contact(actor=acme.scope("admin"), contact_id=ann.pk)
    assert report.counts["feedback360_invitations"] == 1
    asked.refresh_from_db()
    assert (asked.contact_id, asked.email, asked.language) == (None, "", "")
    assert asked.answered and Answer.objects.filter(relationship="customer").count() == 1
    assert links.invitation_of(token) is None
