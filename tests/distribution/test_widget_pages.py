"""Admins create, change and switch off web widgets on the outreach pages and over the API, and
copy the snippet; nobody reads or changes another unit's or tenant's widget."""

from __future__ import annotations

from django.test import Client

from tests.factories import YES
from tests.surveys.api_client import ApiClient
from tests.surveys.builders import store_visit_survey
from voxloop.distribution.models import Widget
from voxloop.distribution.widget import services as widgets
from voxloop.tenancy.models import AuditEntry

FORM = {
    "name": "Shop NPS",
    "unit_code": "AC1R1",
    "allowed_origins": "https://shop.example.com\nhttps://app.example.com",
    "url_patterns": "/account/*\n/orders/*",
    "delay_seconds": "10",
    "sample_percent": "25",
    "suppress_days": "60",
    "position": "bottom-left",
}


def _signed_in(world, name: str, org: str = "acme") -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(getattr(world, org).members[name].user)
    return client


def test_admin_creates_a_widget_and_copies_its_snippet(world, settings):
    settings.BASE_URL = "https://cx.example.test"
    survey = store_visit_survey(world.acme)
    admin = _signed_in(world, "admin")
    created = admin.post("/outreach/widgets/new/", {**FORM, "survey": survey.pk})
    assert created.status_code == 302
    widget = Widget.objects.get()
    assert created["Location"] == f"/outreach/widgets/{widget.pk}/"
    assert widget.unit == world.acme.units["c1r1"] and widget.position == "bottom-left"
    assert widget.allowed_origins == ["https://shop.example.com", "https://app.example.com"]
    assert widget.url_patterns == ["/account/*", "/orders/*"] and widget.sample_percent == 25
    page = admin.get(created["Location"]).content.decode()
    assert f"https://cx.example.test/w/{widget.key}.js" in page
    assert "data-user-id" in page and 'data-copy="widget-snippet"' in page
    listed = admin.get("/outreach/widgets/").content.decode()
    assert "Shop NPS" in listed and "Web widgets" in listed


def test_a_refused_setting_is_shown_on_the_form_naming_the_field(world):
    survey = store_visit_survey(world.acme)
    admin = _signed_in(world, "admin")
    bad = admin.post(
        "/outreach/widgets/new/",
        {**FORM, "survey": survey.pk, "allowed_origins": "ftp://files.example.com"},
    )
    assert bad.status_code == 400
    assert "is not an origin like" in bad.content.decode()
    assert not Widget.objects.exists()
    outside = admin.post(
        "/outreach/widgets/new/", {**FORM, "survey": survey.pk, "unit_code": "BC1"}
    )
    assert outside.status_code == 400 and not Widget.objects.exists()


def test_admin_changes_and_switches_off_a_widget(world):
    acme = world.acme
    survey = store_visit_survey(acme)
    widget = widgets.create_widget(
        actor=acme.system, unit=acme.units["c1r1"], survey=survey, name="Shop", allowed_origins=[]
    )
    admin = _signed_in(world, "country_admin")
    edit = admin.post(
        f"/outreach/widgets/{widget.pk}/edit/",
        {**FORM, "survey": survey.pk, "name": "Shop checkout", "manual_only": "on"},
    )
    assert edit.status_code == 302
    widget.refresh_from_db()
    assert widget.name == "Shop checkout" and widget.manual_only
    off = admin.post(f"/outreach/widgets/{widget.pk}/deactivate/")
    assert off.status_code == 302
    widget.refresh_from_db()
    assert not widget.is_active
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"widget.update", "widget.deactivate"} <= actions
    assert admin.post(f"/outreach/widgets/{widget.pk}/explode/").status_code == 400


def test_pages_never_show_another_units_or_tenants_widgets(world):
    acme, other = world.acme, world.other
    survey = store_visit_survey(acme)
    region = widgets.create_widget(
        actor=acme.system,
        unit=acme.units["c1r1"],
        survey=survey,
        name="Region one",
        allowed_origins=[],
    )
    widgets.create_widget(
        actor=acme.system,
        unit=acme.units["c1r2"],
        survey=survey,
        name="Region two",
        allowed_origins=[],
    )
    theirs = widgets.create_widget(
        actor=other.system,
        unit=other.root,
        survey=store_visit_survey(other),
        name="Theirs",
        allowed_origins=[],
    )
    regional = _signed_in(world, "regional").get("/outreach/widgets/").content.decode()
    assert "Region one" in regional and "Region two" not in regional and "Theirs" not in regional
    store = _signed_in(world, "store")
    assert store.get(f"/outreach/widgets/{region.pk}/").status_code == 404
    assert _signed_in(world, "admin").get(f"/outreach/widgets/{theirs.pk}/").status_code == 404


def test_api_creates_reads_and_changes_widgets(world, settings):
    settings.BASE_URL = "https://cx.example.test"
    acme = world.acme
    survey = store_visit_survey(acme)
    api = ApiClient(membership=acme.members["admin"])
    created = api.call(
        "post",
        "/widgets",
        {
            "name": "App NPS",
            "survey_id": survey.pk,
            "unit_code": "AC1R1S1",
            "allowed_origins": ["https://App.Example.com"],
            "manual_only": True,
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["allowed_origins"] == ["https://app.example.com"] and body["manual_only"]
    assert body["loader_url"] == f"https://cx.example.test/w/{body['key']}.js"
    assert body["loader_url"] in body["snippet"]
    changed = api.call(
        "patch", f"/widgets/{body['id']}", {"sample_percent": 10, "is_active": False}
    )
    assert changed.status_code == 200
    assert changed.json()["sample_percent"] == 10 and changed.json()["is_active"] is False
    assert [w["id"] for w in api.call("get", "/widgets").json()] == [body["id"]]


def test_api_bad_input_is_a_4xx_naming_the_field(world):
    acme = world.acme
    survey = store_visit_survey(acme)
    api = ApiClient(membership=acme.members["admin"])
    base = {"name": "X", "survey_id": survey.pk, "allowed_origins": ["https://ok.example.com"]}
    cases = [
        ({**base, "allowed_origins": ["javascript:alert(1)"]}, 400, "allowed_origins"),
        ({**base, "url_patterns": ["no-slash"]}, 400, "url_patterns"),
        # A value outside the documented set is the schema's refusal (decision 0028).
        ({**base, "position": "top"}, 422, "position"),
        ({**base, "unit_code": "BC1"}, 404, "unit_code"),
        ({**base, "survey_id": 10**9}, 404, "survey_id"),
        ({**base, "sample_percent": 150}, 422, "sample_percent"),
        ({**base, "surprise": 1}, 422, "surprise"),
    ]
    for payload, status, field in cases:
        answer = api.call("post", "/widgets", payload)
        assert answer.status_code == status, (payload, answer.content)
        assert field in answer.content.decode()
    assert not Widget.objects.exists()
    widget = widgets.create_widget(
        actor=acme.system, unit=acme.root, survey=survey, name="W", allowed_origins=[]
    )
    null = api.call("patch", f"/widgets/{widget.pk}", {"name": None})
    assert null.status_code == 422
    theirs = ApiClient(membership=world.other.members["admin"])
    assert theirs.call("get", f"/widgets/{widget.pk}").status_code == 404
    assert theirs.call("patch", f"/widgets/{widget.pk}", {"name": "Mine"}).status_code == 404


def _widget(world):
    return widgets.create_widget(
        actor=world.acme.scope("admin"),
        unit=world.acme.units["c1r1"],
        survey=store_visit_survey(world.acme),
        name="Shop NPS",
        allowed_origins=["https://shop.example.com"],
    )


def test_only_those_who_configure_the_widget_see_and_renew_its_identity_secret(world):
    widget = _widget(world)
    secret = widget.identity_secret
    admin_page = _signed_in(world, "admin").get(f"/outreach/widgets/{widget.pk}/")
    assert secret in admin_page.content.decode()
    assert "data-user-hash=" in admin_page.content.decode()
    director_page = _signed_in(world, "director").get(f"/outreach/widgets/{widget.pk}/")
    assert director_page.status_code == 200 and secret not in director_page.content.decode()
    # A read-only role cannot renew it either.
    _signed_in(world, "director").post(f"/outreach/widgets/{widget.pk}/rotate-secret/", YES)
    widget.refresh_from_db()
    assert widget.identity_secret == secret
    renewed = _signed_in(world, "admin").post(f"/outreach/widgets/{widget.pk}/rotate-secret/", YES)
    assert renewed.status_code == 302
    widget.refresh_from_db()
    assert widget.identity_secret != secret
    assert AuditEntry.objects.filter(action="widget.rotate_identity_secret").exists()
    # The Django admin never shows it.
    from django.contrib.auth import get_user_model

    staff = get_user_model().objects.create_superuser("root-admin", "r@example.com", "pw")
    django_admin = Client()
    django_admin.force_login(staff)
    change = django_admin.get(f"/admin/distribution/widget/{widget.pk}/change/")
    assert change.status_code == 200 and widget.identity_secret not in change.content.decode()


def test_the_identity_secret_over_the_api_is_for_the_widgets_admins(world):
    widget = _widget(world)
    admin = ApiClient(world.acme.members["admin"])
    read = admin.get(f"/widgets/{widget.pk}/identity-secret")
    assert read.status_code == 200 and read.json()["identity_secret"] == widget.identity_secret
    assert "HMAC-SHA256" in read.json()["user_hash"]
    assert widget.identity_secret not in admin.get(f"/widgets/{widget.pk}").content.decode()
    for name in ("director", "sibling_store"):
        member = ApiClient(world.acme.members[name])
        assert member.get(f"/widgets/{widget.pk}/identity-secret").status_code in (403, 404)
        rotate = member.post(f"/widgets/{widget.pk}/identity-secret/rotate")
        assert rotate.status_code in (403, 404)
    stranger = ApiClient(world.other.members["admin"])
    assert stranger.get(f"/widgets/{widget.pk}/identity-secret").status_code == 404
    rotated = admin.post(f"/widgets/{widget.pk}/identity-secret/rotate")
    assert rotated.status_code == 200
    widget.refresh_from_db()
    assert (
        rotated.json()["identity_secret"]
        == widget.identity_secret
        != read.json()["identity_secret"]
    )
