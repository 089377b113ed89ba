"""Erasing a person: no trace of them is left in any table, the person next to them is
untouched, and every dashboard figure stays exactly what it was (rollups, ledger, churn)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core import serializers

from tests.analytics.test_rollups import snapshot
from tests.privacy.history import ANA_TRACES, build_history
from tests.privacy.support import IMMEDIATE, built_once
from voxloop.analytics import services as analytics_services
from voxloop.closedloop.models import Advocate, CaseEvent, Notification
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Contact, Interaction, StatusChange
from voxloop.distribution.models import Invitation
from voxloop.errors import Forbidden, NotFound
from voxloop.privacy import erasure
from voxloop.responses.models import Response
from voxloop.tenancy.models import AuditEntry

OUR_APPS = ("tenancy", "contacts", "responses", "closedloop", "distribution", "analytics")


def _history(world):
    history = build_history(world.acme)
    analytics_services.rebuild(organization_id=world.acme.root.organization_id)
    return history


def every_row_as_text() -> str:
    return "\n".join(
        serializers.serialize("json", model.objects.all())
        for name in OUR_APPS
        for model in apps.get_app_config(name).get_models()
    )


built = built_once(_history, IMMEDIATE)


@pytest.fixture
def history(made):
    return made


def test_nothing_of_the_person_is_left_anywhere(world, history, django_capture_on_commit_callbacks):
    before = every_row_as_text()
    assert all(trace in before for trace in ANA_TRACES)  # the test would see them
    with django_capture_on_commit_callbacks(execute=True):
        report = erasure.erase_contact(actor=world.acme.scope("admin"), contact_id=history.ana.pk)
    after = every_row_as_text()
    assert [trace for trace in ANA_TRACES if trace in after] == []
    assert report.counts["responses"] == 2 and report.counts["cases"] == 1
    assert report.counts["interactions"] == 1 and report.counts["advocates"] == 1


def test_what_stays_keeps_every_figure_and_names_nobody(
    world, history, django_capture_on_commit_callbacks
):
    org_id = world.acme.root.organization_id
    rollups = snapshot()
    churn_before = contact_selectors.churn_counts(
        world.acme.scope("admin"), *_year(), by="nps_group"
    )
    with django_capture_on_commit_callbacks(execute=True):
        erasure.erase_contact(actor=world.acme.scope("admin"), contact_id=history.ana.pk)
    assert snapshot() == rollups  # reconciled after the erasure: nothing moved
    analytics_services.rebuild(organization_id=org_id)
    assert snapshot() == rollups  # and recounted from the raw rows: the same
    assert (
        contact_selectors.churn_counts(world.acme.scope("admin"), *_year(), by="nps_group")
        == churn_before
    )

    detractor = Response.objects.get(pk=history.detractor.pk)
    assert (detractor.nps, detractor.contact_id, detractor.contact_snapshot) == (2, None, {})
    assert detractor.answers == {"nps": 2, "improve": ["queue", "other"]}
    assert detractor.comment_removed_at is not None
    ana = Contact.objects.get(pk=history.ana.pk)
    assert (ana.first_name, ana.email, ana.phone, ana.attributes) == ("", "", "", {})
    assert ana.external_id == f"erased:{ana.pk}" and ana.erased_at is not None
    assert ana.status == "churned" and StatusChange.objects.get(contact=ana).reason == ""
    assert not Interaction.objects.filter(contact=ana).exists()
    assert not Advocate.objects.filter(contact=ana).exists()
    invitation = Invitation.objects.get(pk=history.invitation.pk)
    assert (invitation.status, invitation.skip_reason, invitation.message_id) == (
        "skipped",
        "erased",
        "",
    )
    case = type(history.case).objects.get(pk=history.case.pk)
    assert case.contact_id is None and case.status == "new"  # the case goes on, nameless
    note = CaseEvent.objects.get(case=case, kind="note").text
    assert note == "Called [name] on [phone], she wants her money back (CNP [id])."
    entry = AuditEntry.objects.get(action="contact.erase")
    assert entry.target_label == f"erased:{ana.pk}" and entry.actor_label == "a-admin"
    assert set(entry.changes["counts"]) >= {"responses", "cases", "invitations"}


def test_the_next_customer_is_untouched(world, history):
    def bobs() -> str:
        rows = [Contact.objects.get(pk=history.bob.pk), Response.objects.get(pk=history.bobs.pk)]
        return serializers.serialize("json", rows)

    bobs_before = bobs()
    bob_alerts = list(Notification.objects.filter(response=history.bobs).values("body"))
    erasure.erase_contact(actor=world.acme.scope("admin"), contact_id=history.ana.pk)
    assert bobs() == bobs_before
    assert list(Notification.objects.filter(response=history.bobs).values("body")) == bob_alerts


def test_an_erased_person_is_not_found_listed_segmented_or_linked_again(world, history):
    org_id = world.acme.root.organization_id
    admin = world.acme.scope("admin")
    erasure.erase_contact(actor=admin, contact_id=history.ana.pk)
    assert contact_selectors.contact_in_org(org_id, history.ana.pk) is None  # old survey links
    assert contact_selectors.contact_by_external_id(org_id, "CRM-4711") is None
    assert contact_selectors.contacts_with_phone(org_id, "+40722123456") == []
    assert history.ana.pk not in set(
        contact_selectors.visible_contacts(admin).values_list("pk", flat=True)
    )
    with pytest.raises(NotFound):
        erasure.erase_contact(actor=admin, contact_id=history.ana.pk)  # once is enough


def test_a_rehearsal_counts_and_changes_nothing(world, history):
    before = every_row_as_text()
    report = erasure.erase_contact(
        actor=world.acme.scope("admin"), contact_id=history.ana.pk, rehearse=True
    )
    assert report.counts["responses"] == 2 and report.erased_at is None
    assert every_row_as_text() == before


@pytest.mark.parametrize(
    ("who", "refusal"),
    [
        ("country_admin", Forbidden),  # sees her, but her data reaches beyond their country
        ("director", Forbidden),  # the whole company, but an analyst
        ("store", Forbidden),
        ("sibling_store", Forbidden),
        ("viewer", Forbidden),
    ],
)
def test_only_an_admin_of_the_whole_organisation_erases(world, history, who, refusal):
    with pytest.raises(refusal):
        erasure.erase_contact(actor=world.acme.scope(who), contact_id=history.ana.pk)
    assert Contact.objects.get(pk=history.ana.pk).erased_at is None


def test_another_tenants_admin_cannot_even_find_her(world, history):
    other = world.other.scope("admin")
    with pytest.raises(NotFound):
        erasure.erase_contact(actor=other, contact_id=history.ana.pk)
    with pytest.raises(NotFound):
        erasure.export_person(actor=other, contact_id=history.ana.pk)


def test_the_export_holds_everything_about_her_and_nothing_else(world, history):
    data = erasure.export_person(actor=world.acme.scope("director"), contact_id=history.ana.pk)
    assert data["format"] == "voxloop.person/1"
    assert data["contact"]["email"] == "ana.popescu@example.ro"
    assert data["attributes"]["tier"] == "gold" and data["consent"]["sms"] is False
    assert {r["id"] for r in data["responses"]} == {history.detractor.pk, history.promoter.pk}
    assert data["responses"][0]["answers"]["comment"].startswith("I am Ana Popescu")  # as given
    assert [i["id"] for i in data["invitations"]] == [history.invitation.pk]
    [case] = data["cases"]
    assert any("Called Ana Popescu" in e["text"] for e in case["timeline"])
    assert len(data["interactions"]) == 1 and data["status_history"][0]["status"] == "churned"
    assert "bob@example.test" not in str(data)
    entry = AuditEntry.objects.get(action="contact.export")
    assert entry.actor_label == "a-director" and entry.changes["counts"]["responses"] == 2


def _year():
    from datetime import UTC, datetime

    return datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
