"""The dashboard page, its live poll, saved views and exports: scoped, escaped, shareable."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tests.analytics.support import respond, staff_of
from voxloop.analytics import services
from voxloop.analytics.models import SavedView
from voxloop.tenancy.models import AuditEntry


def client_for(org, name) -> Client:
    c = Client()
    c.force_login(org.user(name))
    return c


@pytest.fixture
def scored(world, survey):
    acme = world.acme
    now = timezone.now() - timedelta(hours=1)
    respond(survey, acme.units["c1r1s1"], nps=10, at=now, comment="=HYPERLINK(\"x\") lovely",
            staff=staff_of(acme.units["c1r1s1"]))  # fmt: skip
    respond(survey, acme.units["c1r1s2"], nps=2, at=now, comment="<script>alert(1)</script>")
    services.rebuild(organization_id=acme.root.organization_id)
    return survey


def test_store_manager_page_shows_only_their_store(world, scored):
    page = client_for(world.acme, "store").get("/analytics/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "lovely" in html and "alert(1)" not in html
    assert "Store 1.1.2" not in html


def test_comments_are_escaped(world, scored):
    html = client_for(world.acme, "regional").get("/analytics/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("who", "unit", "status"),
    [("store", "c1r1s2", 404), ("store", "c1r1", 404), ("sibling_store", "c1r1s1", 404),
     ("regional", "c1r1s1", 200), ("regional", "c1r2s1", 404), ("director", "c2r2s2", 200)],
)  # fmt: skip
def test_unit_filter_stays_inside_the_subtree(world, scored, who, unit, status):
    response = client_for(world.acme, who).get(f"/analytics/?unit={world.acme.units[unit].pk}")
    assert response.status_code == status


def test_other_tenant_cannot_open_our_units_or_surveys(world, scored):
    other = client_for(world.other, "admin")
    assert other.get(f"/analytics/?unit={world.acme.units['c1r1s1'].pk}").status_code == 404
    assert other.get(f"/analytics/?survey={scored.pk}").status_code == 404
    assert other.get(f"/api/v1/analytics/dashboard?unit={world.acme.root.pk}").status_code == 404
    body = other.get("/api/v1/analytics/metrics").json()
    assert body["total"]["n"] == 0


def test_bad_filters_are_a_400_naming_the_field(world, scored):
    api = client_for(world.acme, "director").get("/api/v1/analytics/metrics?period=forever")
    assert api.status_code == 400 and api.json()["error"]["field"] == "period"
    by = client_for(world.acme, "director").get("/api/v1/analytics/metrics?by=planet")
    assert by.status_code == 400 and by.json()["error"]["field"] == "by"
    assert client_for(world.acme, "director").get("/analytics/?grain=year").status_code == 400


def test_metrics_api_breakdowns(world, scored):
    c = client_for(world.acme, "director")
    units = c.get("/api/v1/analytics/metrics?by=unit&period=7d").json()
    assert units["total"]["n"] == 2
    assert {r["label"]: r["n"] for r in units["rows"]} == {"Country 1": 2, "Country 2": 0}
    staff = c.get("/api/v1/analytics/metrics?by=staff&min_n=1").json()["rows"]
    assert [(r["label"], r["value"]) for r in staff] == [("Clerk 1.1.1", 100.0)]
    hours = c.get("/api/v1/analytics/metrics?by=hour").json()["rows"]
    assert sum(r["n"] for r in hours) == 2
    assert c.get("/api/v1/analytics/heatmap").status_code == 200
    assert c.get("/api/v1/analytics/drivers").json()["drivers"] == []  # too few answers


def test_live_poll_changes_when_a_response_arrives(world, scored, immediate_tasks,
                                                   django_capture_on_commit_callbacks):  # fmt: skip
    c = client_for(world.acme, "store")
    before = c.get("/analytics/live/").json()
    with django_capture_on_commit_callbacks(execute=True):
        respond(scored, world.acme.units["c1r1s1"], nps=3, comment="slow today", at=timezone.now())
    after = c.get("/analytics/live/").json()
    assert after["n"] == before["n"] + 1 and after["stamp"] != before["stamp"]
    fragment = c.get("/analytics/?fragment=1").content.decode()
    assert "slow today" in fragment and "<html" not in fragment


def test_role_defaults(world, scored):
    store = client_for(world.acme, "store").get("/analytics/").content.decode()
    director = client_for(world.acme, "director").get("/analytics/").content.decode()
    assert 'value="30d" selected' in store and 'value="day" selected' in store
    assert 'value="365d" selected' in director and 'value="month" selected' in director


def test_saved_views_are_audited_and_private(world, scored):
    c = client_for(world.acme, "regional")
    response = c.post("/analytics/views/", {"name": "Weekly", "query": "period=7d&grain=day"})
    assert response.status_code == 302 and response["Location"].endswith("?period=7d&grain=day")
    view = SavedView.objects.get()
    assert AuditEntry.objects.filter(action="analytics.view_saved").exists()
    assert "Weekly" in c.get("/analytics/").content.decode()
    assert "Weekly" not in client_for(world.acme, "store").get("/analytics/").content.decode()
    sneaky = client_for(world.acme, "store").post(f"/analytics/views/{view.pk}/delete/")
    assert sneaky.status_code == 404 and SavedView.objects.exists()
    bad = c.post("/analytics/views/", {"name": "x", "query": "period=forever"})
    assert bad.status_code == 400
    assert Client().post("/analytics/views/", {"name": "x", "query": ""}).status_code == 302


def test_exports_escape_formulas_and_need_the_export_role(world, scored):
    analyst = client_for(world.acme, "director")
    response = analyst.get("/analytics/export/responses.csv?period=7d")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert text.count("\n") == 3  # header + 2 responses
    assert client_for(world.acme, "store").get("/analytics/export/responses.csv").status_code == 403
    units = client_for(world.acme, "store").get("/analytics/export/aggregates.csv?by=hour")
    assert units.status_code == 200
    xlsx = analyst.get("/analytics/export/responses.xlsx?period=7d")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    comments = [row[12] for row in sheet.iter_rows(min_row=2)]
    # The respondent's words exactly, in a string cell: never evaluated, nothing added.
    [typed] = [c for c in comments if c.value == '=HYPERLINK("x") lovely']
    assert typed.data_type == "s"
    assert analyst.get("/analytics/export/responses.pdf").status_code == 404


def test_page_speaks_the_readers_language(world, scored):
    c = client_for(world.acme, "store")
    c.post("/i18n/setlang/", {"language": "ja", "next": "/analytics/"})
    html = c.get("/analytics/").content.decode()
    assert "ダッシュボード" in html and "最新のコメント" in html


def test_drivers_page_explains_in_plain_words(world, scored):
    html = client_for(world.acme, "regional").get("/analytics/drivers/").content.decode()
    assert "Shapley" in html and "NPS with and without each answer" in html


def test_trend_points_open_their_own_days(world, scored):
    from voxloop.analytics import charts

    assert charts.bucket_end("2026-11-02", "week") == "2026-11-08"
    assert charts.bucket_end("2026-02-01", "month") == "2026-02-28"
    assert charts.bucket_end("2026-10-01", "quarter") == "2026-12-31"
    html = client_for(world.acme, "regional").get("/analytics/?grain=month&period=90d").content
    month = timezone.now() - timedelta(hours=1)
    start = month.date().replace(day=1)
    end = charts.bucket_end(start.isoformat(), "month")
    assert f"start={start.isoformat()}&amp;end={end}&amp;grain=day".encode() in html
    assert b"period=90d&amp;start" not in html  # the clicked days replace the period


def test_drivers_name_questions_and_answers_by_their_labels(world, survey):
    from voxloop.surveys.models import Question

    reason = Question.objects.get(survey=survey, key="reason")
    reason.texts = {"title": {"en": "Main reason", "ja": "主な理由"}}
    reason.config = {
        "choices": [
            {"key": "price", "label": {"en": "The price", "ja": "価格"}},
            {"key": "staff", "label": {"en": "Our staff", "ja": "スタッフ"}},
            {"key": "queue", "label": {"en": "The queue", "ja": "待ち時間"}},
        ]
    }
    reason.save()
    now = timezone.now() - timedelta(hours=1)
    for i in range(12):
        respond(
            survey, world.acme.units["c1r1s1"], nps=i % 11, at=now, reason=["price", "queue"][i % 2]
        )
    c = client_for(world.acme, "regional")
    html = c.get("/analytics/drivers/").content.decode()
    assert "“Main reason”" in html and "The price" in html and "The queue" in html
    assert ">price<" not in html and "“reason”" not in html
    c.post("/i18n/setlang/", {"language": "ja", "next": "/analytics/drivers/"})
    html = c.get("/analytics/drivers/").content.decode()
    assert "主な理由" in html and "価格" in html and "待ち時間" in html


def test_breakdowns_name_channels_and_languages(world, survey):
    now = timezone.now() - timedelta(hours=1)
    for _ in range(6):
        respond(survey, world.acme.units["c1r1s1"], nps=9, at=now, channel="qr", locale="ja")
    services.rebuild(organization_id=world.acme.root.organization_id)
    html = client_for(world.acme, "regional").get("/analytics/").content.decode()
    breakdowns = html.split('class="breakdowns"', 1)[1]
    assert ">QR code<" in breakdowns and ">日本語<" in breakdowns
    assert ">qr<" not in breakdowns and ">ja<" not in breakdowns
