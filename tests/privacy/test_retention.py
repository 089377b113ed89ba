"""Retention: raw rows older than the organisation's periods go, the dashboards' figures stay
(through reconciles, rebuilds and unit moves), an open case keeps its response, the dry run
reports exactly what a run removes, and nothing of another organisation is touched."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from tests.analytics.test_rollups import snapshot
from tests.closedloop.support import give_cause
from tests.contacts.helpers import add_contact
from tests.privacy.support import IMMEDIATE, built_once
from tests.surveys.api_client import ApiClient
from voxloop.analytics import services as analytics_services
from voxloop.analytics.models import Counted, Rollup
from voxloop.cli import run
from voxloop.closedloop import casework
from voxloop.closedloop.models import Case
from voxloop.contacts.models import Contact
from voxloop.errors import Forbidden, InvalidInput
from voxloop.privacy import retention, services
from voxloop.privacy.selectors import policy_of
from voxloop.responses.models import Response
from voxloop.schedule.registry import registered
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import AuditEntry

NOW = timezone.now()
OLD, RECENT = NOW - timedelta(days=100), NOW - timedelta(days=5)


def _surveys(world):
    return cx_survey(world.acme), cx_survey(world.other)


built = built_once(_surveys, IMMEDIATE)


@pytest.fixture
def survey(made):
    return made[0]


def _feedback(world, survey, **extra):
    """Old and recent answers at two stores, with comments; and an old one elsewhere."""
    units = world.acme.units
    made = {
        "old": [
            respond(
                survey, units["c1r1s1"], nps=2, csat=2, comment="slow, call 0722 123 456", at=OLD
            ),
            respond(survey, units["c1r2s1"], nps=9, reason="staff", comment="great", at=OLD),
        ],
        "recent": [respond(survey, units["c1r1s1"], nps=10, comment="fine", at=RECENT)],
        "elsewhere": respond(extra["other_survey"], world.other.units["c1r1s1"], nps=1, at=OLD)
        if "other_survey" in extra
        else None,
    }
    for org in (world.acme, world.other):
        analytics_services.rebuild(organization_id=org.root.organization_id)
    return made


def _policy(world, **periods):
    return services.update_policy(actor=world.acme.scope("admin"), **periods)


def test_old_responses_go_and_every_figure_stays(
    world, survey, made, django_capture_on_commit_callbacks
):
    made = _feedback(world, survey, other_survey=made[1])
    _policy(world, response_days=30)
    figures = snapshot()
    with django_capture_on_commit_callbacks(execute=True):  # the deletion's own reconcile
        done = retention.apply(organization_id=world.acme.root.organization_id)
    assert (done.responses, done.finished) == (2, True)
    assert not Response.objects.filter(pk__in=[r.pk for r in made["old"]]).exists()
    assert Response.objects.filter(pk=made["elsewhere"].pk).exists()  # another organisation
    assert snapshot() == figures
    assert Counted.objects.filter(archived=True).count() == 2
    analytics_services.rebuild(organization_id=world.acme.root.organization_id)
    assert snapshot() == figures  # recounted from what is left plus the archive


def test_archived_counts_follow_a_unit_move(world, survey, django_capture_on_commit_callbacks):
    _feedback(world, survey)
    _policy(world, response_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        retention.apply(organization_id=world.acme.root.organization_id)
    units = world.acme.units
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.move_unit(
            actor=world.acme.scope("admin"), unit=units["c1r1s1"], new_parent=units["c2r1"]
        )
    moved = snapshot()
    analytics_services.rebuild(organization_id=world.acme.root.organization_id)
    assert snapshot() == moved
    region_n = Rollup.objects.filter(node_path=units["c2r1"].path, facet="").aggregate(n=Sum("n"))
    assert region_n["n"] == 2  # the archived old answer and the recent one came along


def test_an_open_case_keeps_its_response_until_it_closes(world, survey):
    made = _feedback(world, survey)
    old = made["old"][0]
    case = casework.open_case(
        actor=world.acme.scope("store"), response_id=old.pk, title="Call back"
    )
    _policy(world, response_days=30)
    assert retention.apply(organization_id=world.acme.root.organization_id).responses == 1
    assert Response.objects.filter(pk=old.pk).exists()
    give_cause(case)
    casework.change_status(actor=world.acme.scope("store"), case=case, status="closed")
    assert retention.apply(organization_id=world.acme.root.organization_id).responses == 1
    assert not Case.objects.filter(pk=case.pk).exists()  # a closed case goes with its answer


def test_old_comments_go_and_scores_choices_and_counts_stay(
    world, survey, django_capture_on_commit_callbacks
):
    made = _feedback(world, survey)
    _policy(world, comment_days=30)
    figures = snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        done = retention.apply(organization_id=world.acme.root.organization_id)
    assert done.comments == 2
    kept = Response.objects.get(pk=made["old"][1].pk)
    assert kept.answers == {"nps": 9, "reason": "staff"} and kept.comment_removed_at
    assert Response.objects.get(pk=made["recent"][0].pk).answers["comment"] == "fine"
    assert snapshot() == figures  # two comments were made then; they still count


def test_inactive_contacts_are_erased_and_active_ones_kept(world, survey):
    acme = world.acme
    quiet = add_contact(acme, "c1r1s1", "QUIET", last_name="Quiet")
    answered = add_contact(acme, "c1r1s2", "ANSWERED", last_name="Answered")
    Contact.objects.filter(pk__in=[quiet.pk, answered.pk]).update(created_at=OLD, updated_at=OLD)
    Contact.objects.filter(pk=answered.pk).update(last_response_at=RECENT)
    _policy(world, contact_days=60)
    report = retention.report(organization_id=acme.root.organization_id)
    done = retention.apply(organization_id=acme.root.organization_id)
    assert report.contacts == done.contacts == 1
    assert Contact.objects.get(pk=quiet.pk).erased_at is not None
    assert Contact.objects.get(pk=answered.pk).erased_at is None
    entry = AuditEntry.objects.get(action="contact.erase")
    assert (entry.actor_label, entry.target_label) == ("retention", f"erased:{quiet.pk}")


def test_old_audit_entries_go(world):
    AuditEntry.objects.filter(organization_id=world.acme.root.organization_id).update(at=OLD)
    _policy(world, audit_days=365)
    assert retention.apply(organization_id=world.acme.root.organization_id).audit_entries == 0
    AuditEntry.objects.filter(organization_id=world.acme.root.organization_id).update(
        at=NOW - timedelta(days=400)
    )
    other = AuditEntry.objects.filter(organization_id=world.other.root.organization_id).count()
    assert retention.apply(organization_id=world.acme.root.organization_id).audit_entries > 0
    kept = AuditEntry.objects.filter(organization_id=world.acme.root.organization_id)
    assert [e.action for e in kept] == ["privacy.retention"]  # this run's own entry
    assert (
        AuditEntry.objects.filter(organization_id=world.other.root.organization_id).count() == other
    )


def test_the_dry_run_reports_what_a_run_does_and_deletes_nothing(world, survey, capsys):
    _feedback(world, survey)
    middle = NOW - timedelta(days=45)
    respond(survey, world.acme.units["c2r1s1"], nps=7, comment="meh, a@b.ro", at=middle)
    _policy(world, response_days=60, comment_days=30)
    before = Response.objects.count()
    assert run(["privacy", "retention", "--org", "acme", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "dry run" in out and "2  raw responses" in out and "1  responses whose comments" in out
    assert Response.objects.count() == before
    report = retention.report(organization_id=world.acme.root.organization_id)
    done = retention.apply(organization_id=world.acme.root.organization_id)
    assert (report.responses, report.comments) == (done.responses, done.comments) == (2, 1)


def test_the_command_explains_itself(world, capsys):
    assert run(["privacy", "retention", "--org", "acme"]) == 0
    assert "keeps everything" in capsys.readouterr().out
    assert run(["privacy", "retention", "--org", "nope"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no organisation with slug 'nope'" in err[0]


def test_periods_are_checked_and_only_the_top_admins_set_them(world):
    with pytest.raises(InvalidInput) as refused:
        _policy(world, response_days=3)
    assert refused.value.field == "response_days"
    with pytest.raises(InvalidInput) as refused:
        _policy(world, audit_days=90)  # the audit log proves erasures: a year at least
    assert refused.value.field == "audit_days"
    with pytest.raises(Forbidden):
        services.update_policy(actor=world.acme.scope("country_admin"), response_days=400)
    api = ApiClient(membership=world.acme.members["admin"])
    answer = api.patch("/privacy/policy", {"comment_days": "soon"})
    assert answer.status_code in (400, 422) and "comment_days" in answer.content.decode()
    assert api.patch("/privacy/policy", {"contact_days": 5}).json()["error"]["field"] == (
        "contact_days"
    )
    assert api.patch("/privacy/policy", {"contact_days": 730}).json()["contact_days"] == 730
    assert api.patch("/privacy/policy", {"contact_days": None}).json()["contact_days"] is None


def test_the_settings_page_shows_what_a_shorter_period_deletes_before_saving(world, survey):
    _feedback(world, survey)
    client = Client()
    client.force_login(world.acme.members["admin"].user)
    answer = client.post("/privacy/", {"response_days": "30"})
    page = answer.content.decode()
    assert answer.status_code == 200 and 'data-testid="retention-report"' in page
    assert "2 raw responses from before" in page and 'name="confirmed" value="30,,,,"' in page
    assert policy_of(world.acme.root.organization_id).response_days is None
    changed = client.post("/privacy/", {"response_days": "31", "confirmed": "30,,,,"})
    assert 'data-testid="retention-report"' in changed.content.decode()  # asked again
    assert policy_of(world.acme.root.organization_id).response_days is None
    saved = client.post("/privacy/", {"response_days": "30", "confirmed": "30,,,,"})
    assert saved.status_code == 302
    assert policy_of(world.acme.root.organization_id).response_days == 30
    longer = client.post("/privacy/", {"response_days": "60"})  # keeps more: no question
    assert longer.status_code == 302
    bad = client.post("/privacy/", {"response_days": "3"})
    assert bad.status_code == 400 and "response_days" in bad.content.decode()


def test_the_worker_applies_retention_every_hour(world, survey):
    [job] = [p for p in registered() if p.name == "privacy.apply_retention"]
    assert job.interval == timedelta(hours=1)
    _feedback(world, survey)
    _policy(world, response_days=30)
    assert job.task.call() == 1
    assert Response.objects.filter(organization_id=world.acme.root.organization_id).count() == 1
