"""Churn rate: who was a customer when the period began and left during it, checked against
hand counts and statsmodels; scoped; fed by the status history (admin, API)."""

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from scipy.stats import binomtest, fisher_exact

from tests.contacts.helpers import add_contact
from tests.factories import make_member
from voxloop.analytics import churn, filters, selectors
from voxloop.contacts import lifecycle
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Contact, StatusChange
from voxloop.errors import InvalidInput
from voxloop.tenancy.models import AuditEntry

TODAY = date(2026, 11, 30)
SINCE = date(2026, 1, 1)


def day(month: int, d: int) -> datetime:
    return datetime(2026, month, d, 12, tzinfo=UTC)


def f(**params):
    return filters.parse({"period": "30d", "min_n": "1", **params}, today=TODAY)  # Nov 1–30


@pytest.fixture
def customers(world):
    """Store c1r1s1: five promoters and five detractors (one and three of them leave in
    November), W who left in October and came back, X who left in October, N who joined and
    left in November, E who left in September; one customer of the sibling store leaves in
    November."""
    acme = world.acme
    admin = acme.scope("admin")
    made = {}
    for key in [*(f"P{i}" for i in range(1, 6)), *(f"D{i}" for i in range(1, 6)), "W", "X", "E"]:
        made[key] = add_contact(acme, "c1r1s1", key, customer_since=SINCE)
    made["N"] = add_contact(acme, "c1r1s1", "N", customer_since=date(2026, 11, 10))
    made["S"] = add_contact(acme, "c1r1s2", "S", customer_since=SINCE)
    # The group of their latest answer, through the responses' event's service.
    for key, contact in made.items():
        group = {"P": "promoter", "D": "detractor"}.get(key[0])
        if group and len(key) == 2:
            contact_services.note_response(
                contact_id=contact.pk, submitted_at=day(6, 1), nps_group=group
            )
    for key, when in [("P1", day(11, 3)), ("D1", day(11, 5)), ("D2", day(11, 6)),
                      ("D3", day(11, 7)), ("S", day(11, 12)), ("N", day(11, 20)),
                      ("X", day(10, 15)), ("W", day(10, 5)), ("E", day(9, 1))]:  # fmt: skip
        lifecycle.record_status(actor=admin, customer=made[key], status="churned", at=when)
    lifecycle.record_status(actor=admin, customer=made["W"], status="active", at=day(10, 20))
    return made


def test_churn_rate_counts_those_active_when_the_period_began(world, customers):
    ctx = selectors.context(world.acme.scope("director"), f())
    result = churn.churn(ctx)
    assert (result["churned"], result["figure"]["n"]) == (5, 12)  # not X (gone), not N (new)
    assert result["figure"]["value"] == pytest.approx(100 * 5 / 12)
    ci = binomtest(5, 12).proportion_ci(method="wilsoncc")  # continuity-corrected Wilson
    low, high = ci.low, ci.high
    assert (result["figure"]["low"], result["figure"]["high"]) == pytest.approx(
        (100 * low, 100 * high), abs=1e-3
    )
    # October: 13 customers at its start (X and W still there), 2 left.
    p = fisher_exact([[5, 7], [2, 11]]).pvalue  # Fisher's exact test at these counts
    assert result["change"]["delta"] == pytest.approx(100 * (5 / 12 - 2 / 13))
    assert result["change"]["p_value"] == pytest.approx(p)
    groups = {g["group"]: (g["churned"], g["n"]) for g in result["by_nps_group"]}
    assert groups == {"promoter": (1, 5), "detractor": (3, 5), "": (1, 2)}


def test_no_change_is_claimed_from_before_the_history_began(world):
    acme = world.acme
    first = add_contact(acme, "c1r1s1", "F", customer_since=SINCE)
    add_contact(acme, "c1r1s1", "G", customer_since=SINCE)
    lifecycle.record_status(
        actor=acme.scope("admin"), customer=first, status="churned", at=day(11, 10)
    )
    result = churn.churn(selectors.context(acme.scope("director"), f()))
    assert (result["churned"], result["figure"]["n"]) == (1, 2)
    assert result["change"]["delta"] is None  # October's "nobody left" was only silence


def test_churn_is_scoped_to_the_readers_units(world, customers):
    store = churn.churn(selectors.context(world.acme.scope("store"), f()))
    assert (store["churned"], store["figure"]["n"]) == (4, 11)
    sibling = churn.churn(selectors.context(world.acme.scope("sibling_store"), f()))
    assert (sibling["churned"], sibling["figure"]["n"]) == (1, 1)
    assert churn.churn(selectors.context(world.other.scope("admin"), f())) is None


def test_churn_honours_the_segment_filter(world, customers):
    detractors = contact_services.save_segment(
        actor=world.acme.scope("admin"),
        unit=world.acme.root,
        name="Detractors",
        filters=[{"field": "nps_group", "op": "eq", "value": "detractor"}],
    )
    ctx = selectors.context(world.acme.scope("director"), f(segment=str(detractors.pk)))
    result = churn.churn(ctx)
    assert (result["churned"], result["figure"]["n"]) == (3, 5)


def test_history_filled_in_late_does_not_change_the_current_status(world, customers):
    admin = world.acme.scope("admin")
    p2 = customers["P2"]
    lifecycle.record_status(actor=admin, customer=p2, status="churned", at=day(11, 25))
    lifecycle.record_status(actor=admin, customer=p2, status="active", at=day(11, 28))
    late = lifecycle.record_status(actor=admin, customer=p2, status="churned", at=day(11, 26))
    assert late is None  # already churned on the 26th: nothing to record
    p2.refresh_from_db()
    assert (p2.status, p2.churned_at) == ("active", None)
    assert lifecycle.record_status(actor=admin, customer=p2, status="active") is None
    with pytest.raises(InvalidInput) as refused:
        lifecycle.record_status(actor=admin, customer=p2, status="gone")
    assert refused.value.field == "status"


def test_crm_batch_over_the_api_keeps_good_rows_and_names_bad_ones(world, customers, settings):
    c = Client()
    c.force_login(world.acme.user("admin"))
    body = {
        "changes": [
            {"external_id": "P4", "status": "churned", "at": "2026-11-29T10:00:00Z"},
            {"external_id": "nobody", "status": "churned"},
            {"external_id": "P5", "status": "left"},
            {"external_id": "P5", "status": "churned", "at": "yesterday"},
            {"kind": "account", "external_id": "P5", "status": "churned"},
            {"external_id": "P3", "status": "active"},
        ]
    }
    reply = c.post("/api/v1/customers/status", body, content_type="application/json")
    assert reply.status_code == 200, reply.content
    report = reply.json()
    assert (report["recorded"], report["unchanged"], report["failed"]) == (1, 1, 4)
    assert [(e["line"], e["column"]) for e in report["errors"]] == [
        (2, "external_id"),
        (3, "status"),
        (4, "at"),
        (5, "external_id"),
    ]
    assert Contact.objects.get(external_id="P4").status == "churned"
    assert AuditEntry.objects.filter(action="contact.status").count() >= 1
    other = Client()
    other.force_login(world.other.user("admin"))
    foreign = other.post(
        "/api/v1/customers/status",
        {"changes": [{"external_id": "P5", "status": "churned"}]},
        content_type="application/json",
    )
    assert foreign.json()["failed"] == 1  # another tenant's customer does not exist for them
    store = Client()
    store.force_login(world.acme.user("store"))
    assert (
        store.post("/api/v1/customers/status", body, content_type="application/json").status_code
        == 403
    )


def test_dashboard_and_api_show_churn(world, customers):
    c = Client()
    c.force_login(world.acme.user("director"))
    query = "start=2026-11-01&end=2026-11-30&min_n=1"
    html = c.get(f"/analytics/?{query}").content.decode()
    assert "Churn rate" in html and "Who leaves" in html
    assert "5 of 12 customers active when the period began have left." in html
    body = c.get(f"/api/v1/analytics/churn?{query}").json()["churn"]
    assert body["figure"]["n"] == 12
    assert c.get(f"/api/v1/analytics/churn?{query}&kind=planet").status_code == 400
    accounts = c.get(f"/api/v1/analytics/churn?{query}&kind=account").json()["churn"]
    assert accounts["figure"]["n"] == 0


def test_admin_action_marks_customers_churned_inside_the_admins_subtree(world, customers):
    member = make_member(world.acme.system, "staff-c1r1", world.acme.units["c1r1"], "admin")
    member.user.is_staff = True
    member.user.save(update_fields=["is_staff"])
    c = Client()
    c.force_login(member.user)
    outside = add_contact(world.acme, "c2r1s1", "FAR", customer_since=SINCE)
    ids = [customers["P5"].pk, outside.pk]
    reply = c.post("/admin/contacts/contact/", {"action": "mark_churned", "_selected_action": ids})
    assert reply.status_code == 302
    assert Contact.objects.get(pk=ids[0]).status == "churned"
    assert Contact.objects.get(pk=outside.pk).status == "active"
    assert StatusChange.objects.filter(contact_id=ids[0], source="admin").exists()


def test_the_digest_carries_churn(world, customers):
    from voxloop.analytics import digests
    from voxloop.tenancy.models import Membership

    manager = Membership.objects.get(user=world.acme.user("store"))
    content = digests.digest_for(manager, datetime(2026, 12, 1, 6, tzinfo=UTC))
    card = next(k for k in content["kpis"] if k["metric"] == "churn_rate")
    # The store on 24 November: P2–P5, D4, D5 and W are still customers (P1, D1–D3, N, X left).
    assert (card["figure"]["n"], card["figure"]["value"]) == (7, 0.0)
