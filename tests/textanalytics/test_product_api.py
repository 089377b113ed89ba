"""The API of the product pages: the comment explorer with cursor paging, scoped to the
member's units and tenant and refused to viewers; impact, trends and emerging themes for
every role that views figures; the editor's merge, split, accept and live matches."""

from __future__ import annotations

import pytest

from tests.surveys.api_client import as_member
from tests.textanalytics import shop as shop_world
from voxloop.tenancy.models import AuditEntry
from voxloop.textanalytics.models import CommentTheme, Theme, ThemeTerm


@pytest.fixture
def shop(world, settings):
    settings.TEXT_EMBEDDINGS = False
    return shop_world.build(world)


def _texts(answer) -> list[str]:
    assert answer.status_code == 200, answer.content
    return [item["text"] for item in answer.json()["items"]]


def test_comments_page_by_cursor_newest_first(shop):
    client = as_member(shop.acme, "admin")
    first = client.get("/text/comments", limit=4)
    body = first.json()
    assert body["count"] == 11 and len(body["items"]) == 4 and body["next"]
    seen = [i["id"] for i in body["items"]]
    while body["next"]:
        body = client.get("/text/comments", limit=4, after=body["next"]).json()
        seen += [i["id"] for i in body["items"]]
    assert len(seen) == len(set(seen)) == 11
    ids = [i["response_id"] for i in first.json()["items"]]
    assert ids == sorted(ids, reverse=True)
    item = first.json()["items"][0]
    assert item["spans"][0]["start"] == 0 and item["spans"][-1]["end"] == len(item["text"])


def test_a_store_manager_reads_their_store_only_and_never_another_tenant(shop):
    texts = _texts(as_member(shop.acme, "store").get("/text/comments", limit=100))
    assert len(texts) == 10
    assert not any("SECRET-C2" in t or "OTHER-TENANT" in t for t in texts)
    other = _texts(as_member(shop.other, "admin").get("/text/comments", limit=100))
    assert other == [shop_world.OTHER]


def test_a_unit_outside_the_scope_is_not_found(shop):
    c2 = shop.acme.units["c2r1s1"].pk
    assert as_member(shop.acme, "store").get("/text/comments", unit=c2).status_code == 404


def test_a_viewer_reads_no_comment_but_reads_the_figures(shop):
    viewer = as_member(shop.acme, "viewer")
    assert viewer.get("/text/comments").status_code == 403
    for path in ("/text/impact", "/text/trending", "/text/emerging"):
        answer = viewer.get(path)
        assert answer.status_code == 200, path
        body = answer.content.decode()
        assert not any(text in body for _u, _n, text in shop_world.COMMENTS), path


@pytest.mark.parametrize(
    "params",
    [{"sentiment": "furious"}, {"language": "xx"}, {"q": "x" * 201}, {"theme": "abc"}],
)
def test_bad_filters_are_a_clear_400(shop, params):
    answer = as_member(shop.acme, "admin").get("/text/comments", **params)
    assert answer.status_code in (400, 422), answer.content


def test_merge_moves_terms_and_mentions_audited(shop):
    admin = as_member(shop.acme, "admin")
    themes = Theme.objects.filter(taxonomy__organization=shop.acme.root.organization)
    staff, advice = themes.get(key="staff"), themes.get(key="advice")
    before = CommentTheme.objects.filter(theme=staff).count()
    assert before
    answer = admin.post(f"/text/themes/{staff.pk}/merge", {"into_id": advice.pk})
    assert answer.status_code == 200, answer.content
    assert not Theme.objects.filter(pk=staff.pk).exists()
    assert CommentTheme.objects.filter(theme=advice).count() >= before
    assert ThemeTerm.objects.filter(theme=advice, text="rude").exists()
    assert AuditEntry.objects.filter(action="textanalytics.theme.merge").exists()
    itself = admin.post(f"/text/themes/{advice.pk}/merge", {"into_id": advice.pk})
    assert itself.status_code == 400


def test_split_and_accept(shop):
    admin = as_member(shop.acme, "admin")
    staff = Theme.objects.get(taxonomy__organization=shop.acme.root.organization, key="staff")
    rude = list(staff.terms.filter(text__in=["rude", "unhelpful"]).values_list("pk", flat=True))
    answer = admin.post(f"/text/themes/{staff.pk}/split", {"name": "Rudeness", "term_ids": rude})
    assert answer.status_code == 201, answer.content
    assert {t["text"] for t in answer.json()["terms"]} == {"rude", "unhelpful"}
    taxonomy = staff.taxonomy_id
    answer = admin.post(
        f"/text/taxonomies/{taxonomy}/accept",
        {"name": "Parking", "keywords": {"en": ["car park"], "ja": ["駐車場"], "ro": ["parcare"]}},
    )
    assert answer.status_code == 201, answer.content
    assert {t["text"] for t in answer.json()["terms"] if t["kind"] == "keyword"} == {
        "car park",
        "駐車場",
        "parcare",
    }
    assert AuditEntry.objects.filter(action="textanalytics.theme.accept").exists()
    manager = as_member(shop.acme, "store")
    assert (
        manager.post(
            f"/text/taxonomies/{taxonomy}/accept", {"name": "X", "keywords": {"en": ["x"]}}
        ).status_code
        == 403
    )


def test_live_matches_show_what_a_draft_keyword_would_add(shop):
    admin = as_member(shop.acme, "admin")
    staff = Theme.objects.get(taxonomy__organization=shop.acme.root.organization, key="staff")
    now = admin.get(f"/text/themes/{staff.pk}/matches").json()
    draft = admin.get(
        f"/text/themes/{staff.pk}/matches", language="en", kind="keyword", text="car park"
    ).json()
    assert draft["matched"] == now["matched"] + 1 and draft["new"] == 1
    new = [m for m in draft["matches"] if m["new"]]
    assert "car park" in new[0]["text"][new[0]["start"] : new[0]["end"]]
    ro = admin.get(
        f"/text/themes/{staff.pk}/matches", language="ro", kind="keyword", text="parcarea"
    ).json()
    assert ro["new"] == 1
    assert as_member(shop.acme, "store").get(f"/text/themes/{staff.pk}/matches").status_code == 403
