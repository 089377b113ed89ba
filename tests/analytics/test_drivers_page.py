"""The drivers page (issue 16 item 5): one survey at a time, the headline survey first; two
surveys sharing a question key stay apart (free text is never a category); bars are shares of
all the score's variance; answers chosen by too few are folded away; scoped like the rest."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.support import cx_survey, respond
from voxloop.surveys import services as survey_services
from voxloop.surveys.models import Survey

T = {"title": {"en": "What should we improve?"}}
Q = "period=30d&min_n=5"


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


@pytest.fixture
def two_surveys(world):
    acme = world.acme
    actor = acme.scope("admin")
    visit = cx_survey(acme, name="Visit")
    survey_services.add_question(
        actor=actor, survey=visit, key="improve", type="long_text", texts=T
    )
    support = survey_services.create_survey(
        actor=actor, unit=acme.root, name="Support", kind="transactional", default_locale="en"
    )
    survey_services.add_question(actor=actor, survey=support, key="nps", type="nps", texts=T)
    survey_services.add_question(
        actor=actor, survey=support, key="friendly", type="rating", texts=T, config={"scale": 5}
    )
    choices = [{"key": k, "label": {"en": f"More {k}"}} for k in ("speed", "staff", "parking")]
    survey_services.add_question(
        actor=actor,
        survey=support,
        key="improve",
        type="single_choice",
        texts=T,
        config={"choices": choices},
    )
    survey_services.publish(actor=actor, survey=support)
    Survey.objects.filter(pk=visit.pk).update(is_primary=True)
    store = acme.units["c1r1s1"]
    at = timezone.now() - timedelta(days=2)
    for i in range(40):
        nps = i % 11
        respond(visit, store, nps=nps, friendly=1 + nps // 3, at=at, improve=f"comment {i}")
        pick = "parking" if i == 0 else ("speed" if nps < 6 else "staff")
        respond(support, store, nps=nps, at=at, friendly=1 + (10 - nps) // 3, improve=pick)
    return visit, support


def spec_of(html: str) -> dict:
    start = html.index('<script id="drivers-spec" type="application/json">')
    body = html[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_the_headline_survey_opens_first_and_free_text_is_never_a_category(world, two_surveys):
    visit, support = two_surveys
    html = client_for(world.acme, "director").get(f"/analytics/drivers/?{Q}").content.decode()
    assert f'<option value="{visit.pk}" selected>' in html
    assert f'<option value="{support.pk}">' in html
    assert "Drivers · Visit" in html
    assert "comment 3" not in html and "More speed" not in html  # not the other survey's


def test_another_survey_is_analysed_on_its_own(world, two_surveys):
    _visit, support = two_surveys
    c = client_for(world.acme, "director")
    html = c.get(f"/analytics/drivers/?{Q}&survey={support.pk}").content.decode()
    assert "Drivers · Support" in html
    effects = html.split('data-testid="choice-effects"', 1)[1]
    assert "More speed" in effects and "More staff" in effects
    folded = effects.split('data-testid="folded"', 1)[1].split("</details>", 1)[0]
    assert "More parking" in folded and "n = 1" in folded  # chosen once: folded away
    shown = effects.split('data-testid="folded"', 1)[0]
    assert "More parking" not in shown


def test_bars_are_shares_of_all_the_variance_with_intervals(world, two_surveys):
    visit, _ = two_surveys
    c = client_for(world.acme, "director")
    html = c.get(f"/analytics/drivers/?{Q}&survey={visit.pk}").content.decode()
    spec = spec_of(html)
    assert spec["kind"] == "drivers" and spec["labels"]
    csv_rows = c.get(f"/analytics/charts/drivers.csv?{Q}&survey={visit.pk}")
    body = csv_rows.content.decode("utf-8-sig")
    first = next(csv.DictReader(io.StringIO(body)))
    importance, r2 = float(first["importance"]), float(first["r2"])
    assert spec["value"][0] == round(100 * importance, 1) < 100
    assert spec["low"][0] <= spec["value"][0] <= spec["high"][0]
    assert f"explain {round(100 * r2, 1)} %" in html.replace("\xa0", " ")


def test_drivers_stay_inside_the_scope(world, two_surveys):
    visit, _ = two_surveys
    other = client_for(world.other, "admin")
    assert other.get(f"/analytics/drivers/?{Q}&survey={visit.pk}").status_code == 404
    assert other.get(f"/analytics/charts/drivers.csv?{Q}&survey={visit.pk}").status_code == 404
    sibling = client_for(world.acme, "sibling_store")
    html = sibling.get(f"/analytics/drivers/?{Q}&survey={visit.pk}").content.decode()
    assert "Not enough complete answers" in html  # their store has none of these answers
