"""The pulse pages: an employee answers through their own link (/pulse/a/<token>/) once;
admins create and edit a programme and its question bank and send the next wave after a
confirmation; a manager reads the store's results (in every language, a small team as "too
few answers") and turns a frontline report into an action plan."""

from __future__ import annotations

from django.test import Client

from tests.factories import YES
from tests.pulse.support import answer_all, programme, staff
from voxloop.pulse import services
from voxloop.pulse.models import Answer, Invite, Programme, Report, Wave


def _client(org, name) -> Client:
    client = Client()
    client.force_login(org.user(name))
    return client


def test_an_employee_answers_through_their_link_once(world):
    acme = world.acme
    p = programme(acme, "c1r1s1")
    wave = services.send_now(actor=acme.system, programme=p)
    invite = Invite.objects.filter(wave=wave).first()
    link = f"/pulse/a/{invite.token}/"
    page = Client().get(link)
    assert page.status_code == 200 and b"How likely are you to recommend" in page.content
    bad = Client().post(link, {"enps": "12"})
    assert bad.status_code == 400
    data = {"enps": "9", f"q{wave.question_ids[1]}": "5", "comment": "More stools"}
    data |= {"report_category": "issue", "report_text": "The card reader fails at noon"}
    done = Client().post(link, data)
    assert done.status_code == 200 and b"kept without your name" in done.content
    assert Answer.objects.get(wave=wave).drivers == {str(wave.question_ids[1]): 5}
    assert Report.objects.filter(programme=p, unit=acme.units["c1r1s1"]).exists()
    assert b"kept without your name" in Client().get(link).content
    assert Client().get("/pulse/a/not-a-token/").status_code == 404


def test_an_admin_creates_edits_and_sends_after_confirming(world):
    acme = world.acme
    admin = _client(acme, "admin")
    assert admin.get("/pulse/new/").status_code == 200
    made = admin.post(
        "/pulse/new/",
        {"name": "Store pulse", "unit_code": "AC1R1", "cadence": "weekly"}
        | {"drivers_per_wave": 2, "reminder_after_days": 3, "floor": 5, "is_active": "on"},
    )
    assert made.status_code == 302
    p = Programme.objects.get(name="Store pulse")
    low = admin.post(f"/pulse/{p.pk}/edit/", {"name": "X", "cadence": "weekly", "floor": 2})
    assert low.status_code == 400
    edit = admin.post(
        f"/pulse/{p.pk}/edit/",
        {"name": "Store pulse", "cadence": "monthly", "drivers_per_wave": 3}
        | {"reminder_after_days": 2, "floor": 6, "is_active": "on"},
    )
    assert edit.status_code == 302
    p.refresh_from_db()
    assert (p.cadence, p.floor, p.drivers_per_wave) == ("monthly", 6, 3)
    added = admin.post(
        f"/pulse/{p.pk}/questions/",
        {"driver": "tools", "text": "My till works.", "is_active": "on"},
    )
    assert added.status_code == 302 and p.questions.filter(text="My till works.").exists()
    assert b"My till works." in admin.get(f"/pulse/{p.pk}/edit/").content
    asked = admin.post(f"/pulse/{p.pk}/send/")
    assert asked.status_code == 200 and not Wave.objects.filter(programme=p).exists()
    assert admin.post(f"/pulse/{p.pk}/send/", YES).status_code == 302
    assert Wave.objects.filter(programme=p).count() == 1


def test_a_manager_reads_the_results_in_every_language(world):
    acme = world.acme
    staff(acme, "c1r1s1", 4)
    p = programme(acme, "root")
    wave = services.send_now(actor=acme.system, programme=p)
    answer_all(wave, acme.units["c1r1s1"].path, 10, limit=2)
    client = _client(acme, "store")
    for language, text in (
        ("en", "Too few answers to show (floor 5)."),
        ("zh-hans", "回答太少，无法显示（下限 5）。"),
        ("zh-hant", "回答太少，無法顯示（下限 5）。"),
        ("ja", "回答が少なすぎるため表示できません（下限 5）。"),
        ("ro", "Prea puține răspunsuri pentru a fi afișate (prag 5)."),
    ):
        client.cookies["django_language"] = language
        page = client.get(f"/pulse/{p.pk}/")
        assert page.status_code == 200 and text in page.content.decode(), language
    client.cookies["django_language"] = "en"
    answer_all(wave, acme.units["c1r1s1"].path, 10)
    page = client.get(f"/pulse/{p.pk}/").content.decode()
    assert 'data-chart="pulse-spec"' in page and "Too few answers" not in page
    assert client.get(f"/pulse/{p.pk}/?unit={acme.units['c1r1s2'].pk}").status_code == 404
    assert client.get(f"/pulse/{p.pk}/?unit=x").status_code == 404


def test_a_manager_turns_a_report_into_a_plan(world):
    from voxloop.textanalytics import services as text_services

    acme = world.acme
    p = programme(acme, "c1r1s1")
    wave = services.send_now(actor=acme.system, programme=p)
    invite = Invite.objects.filter(wave=wave).first()
    client = _client(acme, "store")
    services.answer(
        invite=invite,
        enps=5,
        drivers={},
        report_category="issue",
        report_text="The queue at the checkout is too long at noon",
    )
    report = Report.objects.get(programme=p)
    page = client.get(f"/pulse/{p.pk}/reports/").content.decode()
    assert "queue at the checkout" in page and 'data-testid="report-themes"' not in page
    # Routed like customer comments: with a taxonomy, each report and the list get themes.
    text_services.install_default_taxonomy(scope=acme.system, kind="retail")
    page = client.get(f"/pulse/{p.pk}/reports/").content.decode()
    assert 'data-testid="report-themes"' in page and "1 report" in page
    made = client.post(f"/pulse/reports/{report.pk}/plan/", {"title": "Noon queue"})
    assert made.status_code == 302
    report.refresh_from_db()
    assert report.plan.title == "Noon queue"
    assert client.post(f"/pulse/reports/{report.pk}/plan/", {}).status_code == 400


def test_the_api_gives_no_figures_under_the_floor_and_refuses_a_sibling(world):
    acme = world.acme
    p = programme(acme, "c1r1")
    wave = services.send_now(actor=acme.system, programme=p)
    answer_all(wave, acme.units["c1r1s1"].path, 9)
    client = _client(acme, "store")
    url = f"/api/v1/pulse/programmes/{p.pk}/results"
    body = client.get(url).json()
    assert body["unit_id"] == acme.units["c1r1s1"].pk
    assert body["waves"] == [
        {
            "number": 1,
            "opened_at": body["waves"][0]["opened_at"],
            "shown": False,
            "enps": None,
            "enps_change": None,
            "drivers": [],
            "themes": [],
        }
    ]
    sibling = client.get(url, {"unit_id": acme.units["c1r1s2"].pk})
    assert sibling.status_code == 404
    low = _client(acme, "admin").post(
        "/api/v1/pulse/programmes",
        {"name": "Low", "unit_id": acme.root.pk, "floor": 2},
        content_type="application/json",
    )
    assert low.status_code == 422 and "floor" in low.content.decode()


def test_a_shown_wave_shows_its_comment_themes_never_below_the_floor(world, monkeypatch):
    from voxloop.pulse import themes
    from voxloop.textanalytics import services as text_services

    acme = world.acme
    text_services.install_default_taxonomy(scope=acme.system, kind="retail")
    staff(acme, "c1r1s2", 5)
    p = programme(acme, "c1r1s2")
    wave = services.send_now(actor=acme.system, programme=p)
    invites = list(Invite.objects.filter(wave=wave).order_by("pk"))
    queue = "The queue at the checkout is too long"
    services.answer(invite=invites[0], enps=3, drivers={}, comment=queue)
    read = []
    real = themes.analyse_texts
    monkeypatch.setattr(themes, "analyse_texts", lambda **kw: read.append(kw) or real(**kw))
    client = _client(acme, "sibling_store")
    page = client.get(f"/pulse/{p.pk}/").content.decode()
    assert 'data-testid="themes"' not in page and read == []  # one answer: not even read
    for invite, comment in zip(invites[1:5], [queue, queue, "Nice team", ""], strict=True):
        services.answer(invite=invite, enps=8, drivers={}, comment=comment)
    page = client.get(f"/pulse/{p.pk}/").content.decode()
    assert 'data-testid="themes"' in page and "3 comments" in page
    assert len(read) == 1 and len(read[0]["items"]) == 4
    assert "3 comments" in client.get(f"/pulse/{p.pk}/").content.decode()
    assert len(read) == 1  # seen again: the same comments are not read again
    api = client.get(f"/api/v1/pulse/programmes/{p.pk}/results").json()["waves"][-1]
    assert api["themes"] and api["themes"][0]["comments"] == 3 and "comment" not in api
    viewer = _client(acme, "viewer").get(f"/api/v1/pulse/programmes/{p.pk}/results")
    assert viewer.status_code == 200 and viewer.json()["waves"][-1]["themes"] == []
    spread = themes.sample([f"{i:03}" for i in range(450)])
    assert len(spread) == themes.COMMENTS_READ and spread[-1] > "440"


def test_a_member_gets_the_pulse_in_their_language(
    world, settings, django_capture_on_commit_callbacks
):
    from django.core import mail

    from voxloop.accounts import services as account_services

    acme = world.acme
    account_services.set_language(user=acme.user("agent"), language="ja")
    p = programme(acme, "c1r1s1")
    tools = p.questions.get(driver="tools")
    services.save_question(
        actor=acme.system, programme=p, text="My till works.", driver="tools", question=tools
    )
    with django_capture_on_commit_callbacks(execute=True):
        wave = services.send_now(actor=acme.system, programme=p)
    to_agent = [m for m in mail.outbox if m.to == [acme.user("agent").email]]
    assert to_agent and to_agent[0].subject == "短いパルスサーベイ：Monthly pulse"
    invite = Invite.objects.get(wave=wave, user=acme.user("agent"))
    page = Client().get(f"/pulse/a/{invite.token}/").content.decode()
    assert "この職場を友人に勧める可能性はどのくらいありますか？" in page
    assert "回答は匿名です" in page
    assert ("My till works." in page) == (tools.pk in wave.question_ids)
    settings.PULSE_ANSWER_LIMIT = 0
    assert Client().get(f"/pulse/a/{invite.token}/").status_code == 429
