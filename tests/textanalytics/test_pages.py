"""The pages: what customers write about (every role that views figures), the comment
explorer (roles that read records, their units only), the theme editor (admins)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.textanalytics import shop as shop_world
from voxloop.tenancy.models import AuditEntry
from voxloop.textanalytics.models import Theme, ThemeTerm


@pytest.fixture
def shop(world, settings):
    settings.TEXT_EMBEDDINGS = False
    return shop_world.build(world)


def _client(org, name: str) -> Client:
    client = Client()
    client.force_login(org.user(name))
    return client


def test_the_explorer_shows_the_store_managers_comments_only(shop):
    page = _client(shop.acme, "store").get("/text/comments/?period=30d")
    assert page.status_code == 200
    body = page.content.decode()
    assert "rude and ignored me" in body and "<mark" in body
    assert "SECRET-C2" not in body and "OTHER-TENANT" not in body


def test_the_explorer_filters_by_theme_sentiment_language_and_words(shop):
    staff = Theme.objects.get(taxonomy__organization=shop.acme.root.organization, key="staff")
    client = _client(shop.acme, "admin")
    body = client.get(f"/text/comments/?theme={staff.pk}&sentiment=negative").content.decode()
    assert "rude and ignored me" in body and "店员态度很差" in body
    assert "Lovely staff" not in body and "car park" not in body
    body = client.get("/text/comments/?language=ja").content.decode()
    assert "駐車場" in body and "rude" not in body
    body = client.get("/text/comments/?q=forty+till").content.decode()
    assert "SECRET-C2" in body and "car park" not in body


def test_a_theme_of_another_tenant_is_not_found(shop):
    foreign = Theme.objects.get(taxonomy__organization=shop.other.root.organization, key="staff")
    assert _client(shop.acme, "admin").get(f"/text/comments/?theme={foreign.pk}").status_code == 404


@pytest.mark.parametrize("url", ["/text/comments/", "/text/themes/"])
def test_a_viewer_gets_no_comment_text(shop, url):
    assert _client(shop.acme, "viewer").get(url).status_code == 403


def test_the_viewer_reads_figures_without_a_word_of_any_comment(shop):
    page = _client(shop.acme, "viewer").get("/text/?period=30d")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="impact"' in body
    for _unit, _nps, text in shop_world.COMMENTS:
        assert text not in body


def test_the_insights_page_in_every_language(shop):
    client = _client(shop.acme, "admin")
    for language, heading in (
        ("en", "Which themes drive detractors"),
        ("zh-hans", "哪些主题造成贬损者"),
        ("ja", "批判者を生むテーマ"),
        ("ro", "Ce teme creează detractori"),
    ):
        page = client.get("/text/", HTTP_ACCEPT_LANGUAGE=language, headers={"cookie": ""})
        client.cookies["django_language"] = language
        page = client.get("/text/")
        assert heading in page.content.decode(), language


def test_the_editor_previews_matches_live_and_adds_a_term_audited(shop):
    client = _client(shop.acme, "admin")
    parking = Theme.objects.filter(taxonomy__organization=shop.acme.root.organization)
    staff = parking.get(key="staff")
    answer = client.get(
        f"/text/themes/{staff.pk}/matches/",
        {"language": "en", "kind": "keyword", "text": "car park", "fragment": "1"},
    )
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "car park was full" in body and "new match" in body
    assert "SECRET-C2" not in body  # ... the admin's scope is the whole company: c2 is theirs
    answer = client.post(
        f"/text/themes/{staff.pk}/add_term/",
        {"language": "en", "kind": "keyword", "text": "car park"},
    )
    assert answer.status_code == 302
    assert ThemeTerm.objects.filter(theme=staff, text="car park").exists()
    assert AuditEntry.objects.filter(action="textanalytics.term.add").exists()


def test_the_editor_merges_splits_deletes_and_accepts_through_forms(shop):
    client = _client(shop.acme, "admin")
    themes = Theme.objects.filter(taxonomy__organization=shop.acme.root.organization)
    staff, advice = themes.get(key="staff"), themes.get(key="advice")
    taxonomy = staff.taxonomy
    page = client.get(f"/text/themes/?taxonomy={taxonomy.pk}")
    assert page.status_code == 200 and "Staff friendliness" in page.content.decode()
    rude = staff.terms.get(language="en", text="rude")
    answer = client.post(
        f"/text/themes/{staff.pk}/split/", {"name": "Rudeness", "term_ids": [rude.pk]}
    )
    assert answer.status_code == 302
    rudeness = themes.get(name="Rudeness")
    assert list(rudeness.terms.values_list("text", flat=True)) == ["rude"]
    assert client.post(f"/text/themes/{rudeness.pk}/merge/", {"into": advice.pk}).status_code == 302
    assert advice.terms.filter(text="rude").exists() and not themes.filter(pk=rudeness.pk).exists()
    unconfirmed = client.post(f"/text/themes/{advice.pk}/delete/", {})
    assert unconfirmed.status_code == 400 and themes.filter(pk=advice.pk).exists()
    assert client.post(f"/text/themes/{advice.pk}/delete/", {"confirm": "yes"}).status_code == 302
    assert not themes.filter(pk=advice.pk).exists()
    answer = client.post(
        f"/text/taxonomies/{taxonomy.pk}/accept/",
        {"name": "Parking", "keywords_en": "car park, parking", "keywords_ro": "parcare"},
    )
    assert answer.status_code == 302
    parking = themes.get(name="Parking")
    assert set(parking.terms.filter(kind="keyword").values_list("text", flat=True)) == {
        "car park",
        "parking",
        "parcare",
    }
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"textanalytics.theme.split", "textanalytics.theme.merge"} <= actions
    assert {"textanalytics.theme.delete", "textanalytics.theme.accept"} <= actions


def test_another_tenants_theme_cannot_be_edited(shop):
    foreign = Theme.objects.get(taxonomy__organization=shop.other.root.organization, key="staff")
    client = _client(shop.acme, "admin")
    assert client.post(f"/text/themes/{foreign.pk}/rename/", {"name": "Mine"}).status_code == 404
    assert client.get(f"/text/themes/{foreign.pk}/matches/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Staff friendliness"


def test_the_rule_form_saves_a_text_condition(shop):
    client = _client(shop.acme, "admin")
    page = client.get("/cases/rules/new/")
    assert page.status_code == 200 and 'name="comment_theme"' in page.content.decode()
    from voxloop.closedloop.forms import RuleForm

    form = RuleForm(
        {
            "name": "Rude",
            "unit_code": shop.acme.root.code,
            "match": "all",
            "priority": "high",
            "sla_hours": 24,
            "second_escalation_hours": 24,
            "email_mode": "immediate",
            "comment_theme": "staff",
            "comment_theme_tone": "mentions_negative",
            "comment_sentiment": "negative",
        },
        themes=[("staff", "Staff friendliness")],
    )
    assert form.is_valid(), form.errors
    items = form.conditions()["items"]
    assert {"field": "comment_theme", "op": "mentions_negative", "value": "staff"} in items
    assert {"field": "comment_sentiment", "op": "eq", "value": "negative"} in items


def test_the_unit_filter_offers_only_the_members_units(shop):
    client = _client(shop.acme, "store")
    body = client.get("/text/comments/").content.decode()
    assert "Store 1.1.1" in body and "Store 2.1.1" not in body
    c2 = shop.acme.units["c2r1s1"].pk
    assert client.get(f"/text/comments/?unit={c2}").status_code == 404
    admin = _client(shop.acme, "admin").get(f"/text/comments/?unit={c2}").content.decode()
    assert "SECRET-C2" in admin and "rude and ignored" not in admin
