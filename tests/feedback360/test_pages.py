"""The raters' and subjects' own pages: a signed-in rater answers once at /feedback360/a/<id>/
(another person's invitation is 404), a customer answers with the signed link from their
email at /feedback360/t/<token>/ (a tampered link is 404, floods get 429, a post without the
CSRF token is refused), the subject reads their own report at /feedback360/me/<id>/ only once
the cycle closes, and the pages speak the rater's language. HR adds and removes raters by hand
at /feedback360/raters/<subject>/ until the invitations go."""

from __future__ import annotations

from django.test import Client

from tests.feedback360.support import answer_all, invitations, regional_cycle
from voxloop.feedback360 import links, selectors, services
from voxloop.feedback360.models import Answer, Invitation
from voxloop.tenancy.models import AuditEntry

WORDS = {
    "en": "Send my answer",
    "zh-hans": "发送我的回答",
    "zh-hant": "傳送我的回答",
    "ja": "回答を送信",
    "ro": "Trimite răspunsul meu",
}


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(cycle, value: int, comment: str = "") -> dict:
    ids = cycle.competencies.values_list("pk", flat=True)
    return {f"c{pk}": str(value) for pk in ids} | {"comment": comment}


def test_a_rater_answers_once_and_sees_no_one_elses(world, settings):
    acme = world.acme
    cycle = regional_cycle(acme)
    [invitation] = invitations(cycle, "manager")
    rater = _signed_in(invitation.user)
    assert rater.get("/feedback360/me/").status_code == 200
    page = rater.get(f"/feedback360/a/{invitation.pk}/")
    assert page.status_code == 200 and b"Feedback for" in page.content
    assert rater.post(f"/feedback360/a/{invitation.pk}/", {"comment": "x"}).status_code == 400
    done = rater.post(f"/feedback360/a/{invitation.pk}/", _form(cycle, 4))
    assert done.status_code == 200 and b'data-testid="thanks"' in done.content
    again = rater.post(f"/feedback360/a/{invitation.pk}/", _form(cycle, 1))
    assert b"already answered" in again.content
    assert Answer.objects.filter(subject__cycle=cycle).count() == 1
    [mine] = invitations(cycle, "self")
    assert rater.get(f"/feedback360/a/{mine.pk}/").status_code == 404
    settings.FEEDBACK360_ANSWER_LIMIT = 0
    assert rater.get(f"/feedback360/a/{invitation.pk}/").status_code == 429


def test_a_customer_answers_with_the_signed_link(world, settings):
    cycle = regional_cycle(world.acme)
    subject = cycle.subjects.get()
    invitation = Invitation.objects.create(
        subject=subject, relationship="customer", contact_id=999, email="c@example.test"
    )
    link = f"/feedback360/t/{links.token_of(invitation)}/"
    assert Client().get(link[:-5] + "xx/").status_code == 404
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(link, _form(cycle, 5)).status_code == 403
    client = Client()
    assert client.get(link).status_code == 200
    assert client.post(link, _form(cycle, 5)).status_code == 200
    invitation.refresh_from_db()
    assert invitation.answered and Answer.objects.filter(relationship="customer").count() == 1
    settings.FEEDBACK360_PUBLIC_LIMIT = 0
    assert client.get(link).status_code == 429


def test_the_pages_speak_the_raters_language(world):
    cycle = regional_cycle(world.acme)
    subject = cycle.subjects.get()
    for i, (language, words) in enumerate(WORDS.items()):
        invitation = Invitation.objects.create(
            subject=subject, relationship="customer", contact_id=i + 1, language=language
        )
        page = Client().get(f"/feedback360/t/{links.token_of(invitation)}/")
        assert words in page.content.decode(), language


def test_the_subject_reads_their_own_report_once_closed(world):
    acme = world.acme
    cycle = regional_cycle(acme, peers=3)
    answer_all(cycle, "report", 4, "Clear goals")
    answer_all(cycle, "peer", 3)
    subject = cycle.subjects.get()
    me = _signed_in(acme.user("regional"))
    assert b"report-waiting" in me.get(f"/feedback360/me/{subject.pk}/").content
    services.close(actor=acme.system, cycle=cycle)
    page = me.get(f"/feedback360/me/{subject.pk}/")
    assert page.status_code == 200 and b"Clear goals" in page.content
    assert b"f360-spec" in page.content
    # Nobody else reads it at this address, not even the subject's manager.
    boss = _signed_in(acme.user("country_admin"))
    assert boss.get(f"/feedback360/me/{subject.pk}/").status_code == 404
    for language in WORDS:
        me.cookies["django_language"] = language
        assert me.get(f"/feedback360/me/{subject.pk}/").status_code == 200


def test_hr_creates_a_cycle_and_closing_asks_first(world):
    acme = world.acme
    hr = _signed_in(acme.user("admin"))
    form = {
        "name": "Regions",
        "unit_code": acme.root.code,
        "deadline": "2099-01-01",
        "competencies": "Listens\nDecides",
        "subjects": [str(acme.members["regional"].pk)],
        "remind_days_before": 2,
        "floor_peer": 3,
        "floor_report": 3,
        "floor_customer": 3,
    }
    assert hr.post("/feedback360/new/", form | {"floor_peer": 1}).status_code == 400
    made = hr.post("/feedback360/new/", form)
    assert made.status_code == 302
    page = hr.get(made["Location"])
    assert page.status_code == 200 and b"completion-row" in page.content
    cycle_id = int(made["Location"].rstrip("/").split("/")[-1])
    asked = hr.post(f"/feedback360/{cycle_id}/close/")
    assert asked.status_code == 200 and b"Nobody can answer any more." in asked.content
    assert selectors.cycle(acme.system, cycle_id).is_open
    hr.post(f"/feedback360/{cycle_id}/close/", {"confirmed": "yes"})
    assert not selectors.cycle(acme.system, cycle_id).is_open


def test_hr_adds_and_removes_a_rater_until_the_invitations_go(world):
    acme = world.acme
    cycle = regional_cycle(acme)
    subject = cycle.subjects.get()
    hr = _signed_in(acme.user("admin"))
    url = f"/feedback360/raters/{subject.pk}/"
    assert "Add a rater" in hr.get(url).content.decode()
    analyst = acme.members["analyst"]
    added = hr.post(url + "add/", {"person": analyst.pk, "relationship": "peer"})
    assert added.status_code == 302
    assert subject.invitations.filter(user=analyst.user, relationship="peer").exists()
    again = hr.post(url + "add/", {"person": analyst.pk, "relationship": "peer"})
    assert again.status_code == 400 and "already rates" in again.content.decode()
    [manager] = invitations(cycle, "manager")
    asked = hr.post(url + "remove/", {"invitation": manager.pk})
    assert asked.status_code == 200 and Invitation.objects.filter(pk=manager.pk).exists()
    gone = hr.post(url + "remove/", {"invitation": manager.pk, "confirmed": "yes"})
    assert gone.status_code == 302 and not Invitation.objects.filter(pk=manager.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"feedback360.rater.add", "feedback360.rater.remove"} <= actions
    services.start(actor=acme.system, cycle=cycle)
    [peer] = invitations(cycle, "peer")[:1]
    late = hr.post(url + "remove/", {"invitation": peer.pk, "confirmed": "yes"})
    assert late.status_code == 400 and Invitation.objects.filter(pk=peer.pk).exists()
    assert "Add a rater" not in hr.get(url).content.decode()
    other = _signed_in(world.other.user("admin"))
    assert other.get(url).status_code == 404
