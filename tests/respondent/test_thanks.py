"""Thank-you pages (branching), kiosks, and the page weight budget."""

import pytest
from django.contrib.staticfiles import finders

from tests.respondent.helpers import Respondent
from voxloop.errors import Conflict, InvalidInput
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services

PAGE_BUDGET = 50 * 1024


def test_promoters_are_invited_to_leave_a_review(client, world, survey):
    survey_services.update_survey(
        actor=world.acme.scope("admin"),
        survey=survey,
        texts={**survey.texts, "thank_you": {"en": "Thanks for your time."}},
        thank_you_branches=[
            {
                "when": {"all": [{"question": "nps", "op": "gte", "value": 9}]},
                "text": {"en": "Glad you liked {{unit}}! Would you tell others?"},
                "link": "https://reviews.example.com/acme",
                "link_text": {"en": "Write a review"},
            }
        ],
    )
    promoter = Respondent(client, survey.public_slug, u="AC1R1S1")
    promoter.answer("nps", "10")
    promoter.answer("csat", "5")
    done = promoter.follow(promoter.answer("comment", "")).content.decode()
    assert "Glad you liked Store 1.1.1! Would you tell others?" in done
    assert 'href="https://reviews.example.com/acme"' in done and "Write a review" in done

    passive = Respondent(client.__class__(), survey.public_slug)
    passive.answer("nps", "7")
    passive.answer("csat", "3")
    done = passive.follow(passive.answer("comment", "")).content.decode()
    assert "Thanks for your time." in done and "reviews.example.com" not in done


def test_kiosk_returns_to_a_fresh_start_and_keeps_no_cookie(client, world):
    actor = world.acme.scope("admin")
    kiosk = survey_services.create_survey(
        actor=actor, unit=world.acme.root, name="Counter", kind="kiosk", default_locale="en"
    )
    survey_services.add_question(
        actor=actor,
        survey=kiosk,
        key="csat",
        type="csat",
        required=True,
        texts={"title": {"en": "Happy?"}},
    )
    survey_services.publish(actor=actor, survey=kiosk)
    first = Respondent(client, kiosk.public_slug, u="AC1R1S1")
    finished = first.answer("csat", "5")
    assert not any(name.startswith("vx_resume") for name in finished.cookies)
    done = first.follow(finished)
    html = done.content.decode()
    restart = f"/s/{kiosk.public_slug}?u=AC1R1S1"
    assert f'<meta http-equiv="refresh" content="8;url={restart}">' in html
    response = Response.objects.get()
    assert response.device == "kiosk" and response.is_complete and response.unit.code == "AC1R1S1"
    # The next customer at the same kiosk gets an empty survey and a new response.
    fresh = client.get(restart).content.decode()
    assert 'name="r"' not in fresh and "checked" not in fresh
    Respondent(client, kiosk.public_slug, u="AC1R1S1").answer("csat", "2")
    assert Response.objects.filter(is_complete=True).count() == 2


def _weight(page) -> int:
    html = page.content.decode()
    size = len(page.content)
    for asset in ("surveys/respond.css", "surveys/respond.js"):
        if f"/static/{asset}" in html:
            with open(finders.find(asset), "rb") as handle:
                size += len(handle.read())
    return size


def test_every_page_is_within_50_kb(client, survey):
    respondent = Respondent(client, survey.public_slug, u="AC1R1S1", e="AE111")
    sizes = {"nps": _weight(respondent.open())}
    respondent.answer("nps", "2")
    sizes["improve"] = _weight(respondent.open(q="improve"))
    respondent.answer("improve", ["queue", "other"], **{"improve:other": "Parking"})
    sizes["csat"] = _weight(respondent.open(q="csat"))
    respondent.answer("csat", "2")
    sizes["comment"] = _weight(respondent.open(q="comment"))
    sizes["thanks"] = _weight(respondent.follow(respondent.answer("comment", "x" * 5000)))
    print("respondent page weights (bytes, HTML+CSS+JS):", sizes)
    assert all(size <= PAGE_BUDGET for size in sizes.values()), sizes
    assert Response.objects.get().answers["improve:other"] == "Parking"


def test_a_question_a_thank_you_branch_depends_on_cannot_be_deleted(world, survey):
    admin = world.acme.scope("admin")
    survey_services.update_survey(
        actor=admin,
        survey=survey,
        thank_you_branches=[
            {"when": {}, "text": {"en": "Thanks"}},
            {"when": {"any": [{"question": "csat", "op": "gte", "value": 4}]}, "text": {"en": "!"}},
        ],
    )
    with pytest.raises(Conflict) as refused:
        survey_services.remove_question(actor=admin, question=survey.questions.get(key="csat"))
    assert "Thank-you message 2" in refused.value.message
    assert survey.questions.filter(key="csat").exists()
    survey_services.remove_question(actor=admin, question=survey.questions.get(key="comment"))


def test_a_site_relative_thank_you_link_is_shown_and_a_protocol_relative_one_refused(
    client, world, survey
):
    admin = world.acme.scope("admin")
    for bad in ("//evil.example/x", "/\\evil.example/x", "javascript:alert(1)"):
        with pytest.raises(InvalidInput):
            survey_services.update_survey(
                actor=admin, survey=survey, thank_you_branches=[{"text": {"en": "Hi"}, "link": bad}]
            )
    survey_services.update_survey(
        actor=admin,
        survey=survey,
        thank_you_branches=[
            {"text": {"en": "Hi"}, "link": "/static/reviews.html", "link_text": {"en": "Review"}}
        ],
    )
    respondent = Respondent(client, survey.public_slug)
    respondent.answer("nps", "10")
    respondent.answer("csat", "5")
    done = respondent.follow(respondent.answer("comment", "")).content.decode()
    assert 'href="/static/reviews.html"' in done and "Review" in done
