"""Outreach as business users meet it (#17): QR posters a store manager prints herself, codes
that count as QR, the documented ?unit= link, no employee survey chosen for them, campaign
links only where they open, the email preview shown, the subject in the email's language."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.test import Client

from tests.respondent.helpers import Respondent
from voxloop.distribution.forms import CampaignForm
from voxloop.distribution.onsite import qr
from voxloop.responses.models import Response
from voxloop.surveys import services as survey_services


def _client(acme, login: str) -> Client:
    client = Client()
    client.force_login(acme.user(login))
    return client


def test_store_manager_prints_her_stores_poster_in_each_language(outreach):
    acme, survey, _ = outreach
    store = acme.units["c1r1s1"]
    client = _client(acme, "store")
    page = client.get(f"/outreach/qr/?survey={survey.pk}").content.decode()
    assert "Store 1.1.1" in page and 'name="format"' in page
    opened = client.get(
        f"/outreach/qr/?survey={survey.pk}&unit={store.pk}&format=tent&lang=zh-hans&poster=1"
    )
    assert opened.status_code == 302
    poster = client.get(opened["Location"])
    html = poster.content.decode()
    assert poster["Content-Language"] == "zh-hans" and '<html lang="zh-hans">' in html
    assert "您的到店体验如何？" in html and "poster-tent" in html
    assert "How did we do?" not in html
    english = client.get(f"/outreach/qr/{store.pk}/poster/?survey={survey.pk}&format=a4")
    assert "How did we do?" in english.content.decode() and "poster-a4" in english.content.decode()
    image = client.get(f"/outreach/qr/{store.pk}.svg?survey={survey.pk}&lang=zh-hans")
    assert image.status_code == 200
    # Another store's poster is not hers; a language the survey lacks is a clear 400.
    other = acme.units["c1r1s2"]
    assert client.get(f"/outreach/qr/{other.pk}/poster/?survey={survey.pk}").status_code == 404
    bad = client.get(f"/outreach/qr/{store.pk}/poster/?survey={survey.pk}&lang=ja")
    assert bad.status_code == 400


def test_printed_codes_count_as_qr_and_open_the_posters_language(outreach, client):
    acme, survey, _ = outreach
    link = qr.unit_link(survey, acme.units["c1r1s1"], "zh-hans")
    query = parse_qs(urlsplit(link).query)
    assert query == {"u": ["AC1R1S1"], "src": ["qr"], "lang": ["zh-hans"]}
    respondent = Respondent(client, survey.public_slug, **{k: v[0] for k, v in query.items()})
    respondent.answer("nps", "10")
    response = Response.objects.get()
    assert response.channel == "qr" and response.unit_id == acme.units["c1r1s1"].pk


def test_the_spelled_out_unit_parameter_works_as_documented(outreach, client):
    acme, survey, _ = outreach
    respondent = Respondent(client, survey.public_slug, unit="AC1R1S1")
    respondent.answer("nps", "9")
    assert Response.objects.get().unit_id == acme.units["c1r1s1"].pk


def test_no_employee_survey_is_chosen_for_the_user(outreach):
    acme, survey, _ = outreach
    pulse = survey_services.create_survey(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="A employee pulse",
        kind="employee",
        default_locale="en",
        locales=[],
    )
    form = CampaignForm(surveys=[pulse, survey])
    choices = list(form.fields["survey"].choices)
    assert choices[0][0] == "" and choices[1][0] == survey.pk and choices[-1][0] == pulse.pk
    assert not CampaignForm({"name": "x", "channel": "email"}, surveys=[survey]).is_valid()


def test_outreach_home_links_only_campaigns_the_member_may_open(
    outreach, queue, smtp_settings, django_capture_on_commit_callbacks
):
    from tests.distribution.test_campaign_email import launch

    acme, survey, _ = outreach
    with django_capture_on_commit_callbacks(execute=True):
        campaign = launch(acme, survey, unit="root")
    queue.run()
    for login, linked in [("admin", True), ("regional", False), ("store", False)]:
        page = _client(acme, login).get("/outreach/").content.decode()
        assert campaign.name in page
        assert (f"/outreach/campaigns/{campaign.pk}/" in page) is linked
        assert 'aria-current="page">Outreach</a>' in page  # the main nav and the tab
        assert 'aria-current="page">Home</a>' not in page


def test_email_preview_frame_holds_the_email_under_its_own_policy(outreach):
    """The frame loads the email's own document (its inline styles allowed there only); as
    srcdoc it would inherit the page's policy, which refuses inline styles."""
    acme, survey, _ = outreach
    from tests.distribution.test_campaign_email import launch

    campaign = launch(acme, survey, unit="c1r1")
    client = _client(acme, "admin")
    page = client.get(f"/outreach/campaigns/{campaign.pk}/preview/").content.decode()
    assert f'src="/outreach/campaigns/{campaign.pk}/preview/email/"' in page
    frame = client.get(f"/outreach/campaigns/{campaign.pk}/preview/email/")
    assert "How likely are you to recommend" in frame.content.decode()
    policy = frame["Content-Security-Policy"]
    assert "style-src 'unsafe-inline'" in policy and "script-src 'none'" in policy


def test_campaign_subject_per_language(outreach):
    acme, survey, _ = outreach
    client = _client(acme, "admin")
    answer = client.post(
        "/outreach/campaigns/new/",
        {
            "name": "Autumn",
            "survey": survey.pk,
            "channel": "email",
            "throttle_per_minute": 600,
            "reminders": 0,
            "reminder_after_days": 3,
            "expires_after_days": 14,
            "subject": "How was {{unit}}?",
            "subject_zh_hans": "{{unit}}怎么样？",
        },
    )
    assert answer.status_code == 302
    from voxloop.distribution.models import Campaign

    texts = Campaign.objects.get(name="Autumn").texts
    assert texts == {"subject": {"en": "How was {{unit}}?", "zh-hans": "{{unit}}怎么样？"}}
