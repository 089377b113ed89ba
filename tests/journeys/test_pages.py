"""The journey pages as people use them: the map (scoped, phone-friendly markup, links to
each touchpoint's dashboard), analytics, exports, and the editor (forms, no JSON; reorder by
buttons and by the drag-and-drop post; errors next to the field; CSRF; translations)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse

from tests.journeys.support import PERIOD, build
from voxloop.journeys.models import Journey, Stage, Touchpoint
from voxloop.tenancy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _client(org, name):
    client = Client()
    client.force_login(org.user(name))
    return client


def test_the_map_page_shows_the_readers_store_and_links_to_dashboards(world):
    built = build(world.acme)
    page = _client(world.acme, "store").get(
        reverse("journeys:map", args=[built.journey.pk]), PERIOD
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "Store visit" in html and "Checkout" in html and "Home delivery" in html
    assert 'name="viewport"' in html  # the shared layout: phone width
    cells = page.context["map"]["stages"][0]["touchpoints"]
    assert cells[0]["responses"] == 12
    assert f"survey={built.survey.pk}" in cells[0]["dashboard_url"]
    assert f"unit={world.acme.units['c1r1s1'].pk}" in cells[0]["dashboard_url"]
    assert cells[0]["dashboard_url"].replace("&", "&amp;") in html


def test_the_map_is_not_found_across_tenants_and_bad_periods_are_400(world):
    built = build(world.acme)
    url = reverse("journeys:map", args=[built.journey.pk])
    assert _client(world.other, "admin").get(url).status_code == 404
    bad = _client(world.acme, "store").get(url, {"period": "forever"})
    assert bad.status_code == 400
    assert "period" in bad.content.decode()


def test_the_map_reads_names_in_the_readers_language(world):
    built = build(world.acme)
    client = _client(world.acme, "store")
    page = client.get(
        reverse("journeys:map", args=[built.journey.pk]), {**PERIOD}, HTTP_ACCEPT_LANGUAGE="ja"
    )
    html = page.content.decode()
    assert "店舗での購入" in html
    assert "来店" in html
    assert "ジャーニー" in html  # the page's own words are translated too


def test_analytics_page_and_exports(world):
    built = build(world.acme)
    client = _client(world.acme, "regional")
    page = client.get(reverse("journeys:insights", args=[built.journey.pk]), PERIOD)
    assert page.status_code == 200
    assert [s["customers"] for s in page.context["insights"]["funnel"]["steps"]] == [17, 8, 4]
    table = client.get(reverse("journeys:export", args=[built.journey.pk, "csv"]), PERIOD)
    rows = list(csv.reader(io.StringIO(b"".join(table.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["stage", "touchpoint"]
    assert [r[1] for r in rows[1:]] == ["Store visit", "Checkout", "Home delivery"]
    assert rows[1][6] == "17"  # responses
    xlsx = client.get(reverse("journeys:export", args=[built.journey.pk, "xlsx"]), PERIOD)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    svg = client.get(reverse("journeys:export", args=[built.journey.pk, "svg"]), PERIOD)
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and b"Store visit" in svg.content
    assert client.get(reverse("journeys:export", args=[built.journey.pk, "pdf"])).status_code == 404


def test_svg_escapes_names(world):
    built = build(world.acme)
    stage = Stage.objects.filter(journey=built.journey).first()
    stage.name = "<script>x</script>"
    stage.save()
    client = _client(world.acme, "admin")
    svg = client.get(reverse("journeys:export", args=[built.journey.pk, "svg"]), PERIOD)
    assert b"<script>" not in svg.content and b"&lt;script&gt;" in svg.content


def test_an_admin_builds_a_journey_with_forms(world):
    org = world.acme
    built = build(org)
    client = _client(org, "admin")
    created = client.post(
        reverse("journeys:create"),
        {"name": "Support ticket", "name_ja": "サポート", "unit_code": "AC1"},
    )
    journey = Journey.objects.get(name="Support ticket")
    assert created.status_code == 302 and created["Location"] == reverse(
        "journeys:edit", args=[journey.pk]
    )
    assert journey.names == {"ja": "サポート"} and journey.unit == org.units["c1"]
    edit = reverse("journeys:edit", args=[journey.pk])
    for name in ("Open", "Resolve", "Follow up"):
        answer = client.post(reverse("journeys:stage_add", args=[journey.pk]), {"new-name": name})
        assert answer.status_code == 302
    stages = list(Stage.objects.filter(journey=journey).order_by("position"))
    assert [s.name for s in stages] == ["Open", "Resolve", "Follow up"]
    add = client.post(
        reverse("journeys:stage_action", args=[stages[1].pk]),
        {
            "action": "add_touchpoint",
            f"add{stages[1].pk}-name": "Ticket closed",
            f"add{stages[1].pk}-interaction_type": built.types["visit"].pk,
            f"add{stages[1].pk}-measure": f"question:{built.survey.pk}:ces",
        },
    )
    assert add.status_code == 302
    tp = Touchpoint.objects.get(name="Ticket closed")
    assert (tp.measure, tp.survey_id, tp.question_key) == ("question", built.survey.pk, "ces")
    # The page offers the measure as a list of choices, never a JSON box.
    page = client.get(edit)
    html = page.content.decode()
    assert f'value="question:{built.survey.pk}:ces"' in html and "<textarea" in html
    assert "json" not in html.lower().replace("application/json", "")
    # Up and down buttons (no JavaScript).
    client.post(reverse("journeys:stage_action", args=[stages[2].pk]), {"action": "up"})
    order = list(
        Stage.objects.filter(journey=journey).order_by("position").values_list("name", flat=True)
    )
    assert order == ["Open", "Follow up", "Resolve"]
    # Drag and drop posts the whole order.
    ids = [stages[2].pk, stages[0].pk, stages[1].pk]
    client.post(reverse("journeys:reorder", args=[journey.pk]), {"order": ",".join(map(str, ids))})
    order = list(
        Stage.objects.filter(journey=journey).order_by("position").values_list("pk", flat=True)
    )
    assert order == ids
    bad = client.post(reverse("journeys:reorder", args=[journey.pk]), {"order": "1,2"})
    assert bad.status_code == 400
    assert AuditEntry.objects.filter(action__startswith="journey.").count() >= 6


def test_a_bad_measure_is_shown_next_to_the_field(world):
    org = world.acme
    built = build(org)
    stage = Stage.objects.filter(journey=built.journey).first()
    client = _client(org, "admin")
    answer = client.post(
        reverse("journeys:stage_action", args=[stage.pk]),
        {
            "action": "add_touchpoint",
            f"add{stage.pk}-name": "Comment only",
            f"add{stage.pk}-measure": f"question:{built.survey.pk}:comment",
        },
    )
    assert answer.status_code == 400
    assert "Choose an NPS, CSAT or CES question" in answer.content.decode() or "measure" in str(
        answer.context["stages"][0]["add"].errors
    )


def test_only_admins_of_the_owner_edit_and_csrf_is_checked(world):
    org = world.acme
    built = build(org)
    edit = reverse("journeys:edit", args=[built.journey.pk])
    assert _client(org, "store").get(edit).status_code == 403
    # A country admin sees the company-wide journey but does not own it.
    assert _client(org, "country_admin").get(edit).status_code == 404
    assert _client(org, "admin").get(edit).status_code == 200
    guarded = Client(enforce_csrf_checks=True)
    guarded.force_login(org.user("admin"))
    answer = guarded.post(reverse("journeys:stage_add", args=[built.journey.pk]), {"new-name": "X"})
    assert answer.status_code == 403
    assert not Stage.objects.filter(journey=built.journey, name="X").exists()


def test_a_bad_journey_form_is_shown_again_with_its_error(world):
    built = build(world.acme)
    client = _client(world.acme, "admin")
    answer = client.post(reverse("journeys:edit", args=[built.journey.pk]), {"name": ""})
    assert answer.status_code == 400
    assert answer.context["journey_form"].errors["name"]


def test_a_persona_variant_is_made_from_the_form(world):
    from voxloop.contacts import services as contact_services

    org = world.acme
    built = build(org)
    segment = contact_services.save_segment(
        actor=org.scope("admin"), unit=org.root, name="VIP", filters=[]
    )
    client = _client(org, "admin")
    answer = client.post(
        reverse("journeys:create"),
        {"name": "Buy in store (VIP)", "variant_of": built.journey.pk, "segment": segment.pk},
    )
    assert answer.status_code == 302
    variant = Journey.objects.get(name="Buy in store (VIP)")
    assert variant.variant_of_id == built.journey.pk and variant.segment_id == segment.pk
    listing = client.get(reverse("journeys:list")).content.decode()
    assert "Buy in store (VIP)" in listing
