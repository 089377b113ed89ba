"""Finishing a case: one resolve form, a root cause always, bulk close only with a cause and a
confirmation; the inbox rows and the case page as a manager reads them; the pickers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.closedloop.support import submit
from tests.closedloop.test_pages import client_for
from voxloop.closedloop import casework, evaluation, services
from voxloop.closedloop.models import Case, CaseEvent, Notification
from voxloop.errors import InvalidInput


@pytest.fixture
def case(world, survey, detractor_rule):
    answers = {"nps": 3, "improve": ["queue", "staff"], "comment": "The queue was far too long"}
    response = submit(survey, answers, unit=world.acme.units["c1r1s1"])
    [opened] = evaluation.evaluate_response(response_id=response.pk)
    return opened


@pytest.fixture
def cause(world):
    top = services.create_root_cause(actor=world.acme.scope("admin"), name="Waiting time")
    return services.create_root_cause(
        actor=world.acme.scope("admin"), name="Queue at the till", parent=top
    )


@pytest.fixture
def playbook(world):
    return services.create_playbook(
        actor=world.acme.scope("admin"), unit=world.acme.root, name="Here is what we did",
        kind="closing",
        subject="What we changed", body="Dear {{first_name}}, we opened a second till.",
    )  # fmt: skip


def test_closing_without_a_root_cause_is_refused(world, case):
    store = world.acme.scope("store")
    for status in ("resolved", "closed"):
        with pytest.raises(InvalidInput) as refused:
            casework.change_status(actor=store, case=case, status=status)
        assert refused.value.field == "root_cause_id"
    assert Case.objects.get(pk=case.pk).status == "new"


def test_one_form_resolves_with_cause_note_and_message(world, case, cause, playbook):
    from voxloop.contacts.models import Contact

    store = world.acme.units["c1r1s1"]
    contact = Contact.objects.create(
        organization=world.acme.root.organization, external_id="c1", email="ann@example.com",
        first_name="Ann", home_unit=store, unit_path=store.path,
    )  # fmt: skip
    Case.objects.filter(pk=case.pk).update(contact=contact)
    client = client_for(world, "store")
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'data-testid="resolve-form"' in page and "Queue at the till" in page
    answer = client.post(
        f"/cases/{case.pk}/resolve/",
        {"root_cause": cause.pk, "note": "Opened a second till", "playbook": playbook.pk},
    )
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == "resolved" and case.root_cause == cause
    kinds = list(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {"root_cause", "note", "email", "status"} <= set(kinds)
    sent = Notification.objects.filter(case=case, channel="email", recipient="ann@example.com")
    assert sent.get().subject == "What we changed"


def test_resolve_form_without_a_cause_shows_the_error_and_changes_nothing(world, case, cause):
    client = client_for(world, "store")
    answer = client.post(f"/cases/{case.pk}/resolve/", {"note": "Done", "close": "on"})
    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()
    case.refresh_from_db()
    assert case.status == "new" and not CaseEvent.objects.filter(case=case, kind="note").exists()


def test_the_status_form_no_longer_finishes_an_open_case(world, case):
    page = client_for(world, "store").get(f"/cases/{case.pk}/").content.decode()
    status_form = page.split('id="case-status"')[1].split("</select>")[0]
    assert 'value="in_progress"' in status_form
    assert 'value="resolved"' not in status_form and 'value="closed"' not in status_form


def test_api_close_needs_a_root_cause(world, case, cause):
    client = client_for(world, "store")
    answer = client.patch(f"/api/v1/cases/{case.pk}", {"status": "closed"}, "application/json")
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "root_cause_id"
    answer = client.patch(
        f"/api/v1/cases/{case.pk}",
        {"status": "closed", "root_cause_id": cause.pk},
        "application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "closed"


def test_bulk_close_asks_for_a_cause_then_confirms(world, case, cause):
    client = client_for(world, "regional")
    post = {"case_ids": [case.pk], "action": "close"}
    client.post("/cases/bulk/", post)
    assert Case.objects.get(pk=case.pk).status == "new"
    post |= {"close-root_cause": cause.pk, "close-note": "Second till"}
    asked = client.post("/cases/bulk/", post)
    text = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="confirm"' in text
    assert "1 open case will be closed." in text and "Queue at the till" in text
    assert Case.objects.get(pk=case.pk).status == "new"
    client.post("/cases/bulk/", post | {"confirmed": "yes"})
    case.refresh_from_db()
    assert case.status == "closed" and case.root_cause == cause


def test_inbox_rows_show_customer_score_words_age_and_sla(world, case):
    Case.objects.filter(pk=case.pk).update(
        created_at=case.created_at - timedelta(days=3), due_at=case.created_at - timedelta(hours=5)
    )
    page = client_for(world, "store").get("/cases/?box=team").content.decode()
    row = page.split('data-testid="case-row"')[1].split("</tr>")[0]
    assert "NPS 3" in row and "The queue was far too long" in row
    assert "3 days" in row and "overdue by 5 hours" in row


def test_case_page_reads_labels_not_keys(world, case):
    page = client_for(world, "store").get(f"/cases/{case.pk}/").content.decode()
    answers = page.split('id="case-response"')[1].split("</section>")[0]
    assert "What should we improve?" in answers and "Queue, Staff" in answers
    assert "How likely are you to recommend Store 1.1.1?" in answers
    assert "<dt>nps</dt>" not in answers and "queue, staff" not in answers


def test_case_page_in_chinese(world, case):
    client = client_for(world, "store")
    page = client.get(f"/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "排队, 员工" in page and "我们应该改进什么？" in page


def test_pickers_find_by_name_within_scope(world):
    store = client_for(world, "store")
    found = store.get("/pick/units/?q=Store").json()["items"]
    assert [i["value"] for i in found] == [world.acme.units["c1r1s1"].code]
    regional = client_for(world, "regional")
    names = {i["value"] for i in regional.get("/pick/people/?q=a").json()["items"]}
    assert world.acme.user("store").username in names
    assert world.acme.user("admin").username not in names  # above the region
    other = client_for(world, "other_admin").get("/pick/people/?q=store").json()["items"]
    assert other and all(i["value"].startswith("b-") for i in other)
    assert client_for(world, "viewer").get("/pick/people/?q=a").status_code == 403
    assert client_for(world, "anonymous").get("/pick/units/?q=a").status_code == 302


def test_a_bulk_close_can_be_undone_once_from_the_inbox(world, case, cause):
    client = client_for(world, "regional")
    post = {"case_ids": [case.pk], "action": "close", "close-root_cause": cause.pk}
    client.post("/cases/bulk/", post | {"close-note": "Second till", "confirmed": "yes"})
    inbox = client.get("/cases/").content.decode()
    assert 'data-testid="undo-close"' in inbox and "1 case was closed." in inbox
    assert 'data-testid="undo-close"' not in client.get("/cases/").content.decode()
    client.post("/cases/bulk/", {"case_ids": [case.pk], "action": "reopen"})
    case.refresh_from_db()
    assert case.status == "in_progress" and case.root_cause == cause
