"""The reviews API: scoped reads (a neighbouring store and another organisation get "not
found"), figures with the dashboard's statistics, replies, and sources for admins with
write-only credentials and bad input named."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.matrix_actors import api_as
from tests.reviews.corpus import samples
from tests.reviews.support import make_source
from voxloop.reviews import services
from voxloop.reviews.models import Review, ReviewSource

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _csv(rows: list[tuple]) -> bytes:
    lines = ["id,location,rating,date,text"] + [",".join(f'"{v}"' for v in r) for r in rows]
    return "\n".join(lines).encode()


@pytest.fixture
def reviews(world):
    source = make_source(world.acme, "file", locations={"s1": "c1r1s1", "s2": "c1r1s2"})
    en = samples("en")
    rows = [
        (f"a{i}", "s1", 1 + i % 5, f"2026-10-{1 + i % 28:02d}", en[i % 6].text) for i in range(40)
    ]
    rows.append(("b", "s2", 2, "2026-10-05", "cold coffee"))
    services.import_file(
        scope=world.acme.scope("admin"), source=source, name="r.csv", data=_csv(rows), now=T0
    )
    theirs = make_source(world.other, "file", locations={"x": "c1r1s1"})
    services.import_file(
        scope=world.other.scope("admin"), source=theirs, name="r.csv",
        data=_csv([("z", "x", 1, "2026-10-01", "other")]), now=T0,
    )  # fmt: skip
    return source


def test_lists_and_reads_stay_inside_the_subtree_and_the_tenant(world, reviews):
    store = api_as(world, "store")
    listed = store.get("/reviews").json()
    assert listed["count"] == 40 and {r["unit_code"] for r in listed["items"]} == {"AC1R1S1"}
    theirs = Review.objects.get(external_id="z")
    sibling = Review.objects.get(external_id="b")
    assert store.get(f"/reviews/{sibling.pk}").status_code == 404
    assert store.get(f"/reviews/{theirs.pk}").status_code == 404
    assert api_as(world, "other_admin").get(f"/reviews/{sibling.pk}").status_code == 404
    assert api_as(world, "viewer").get("/reviews").status_code == 403
    assert api_as(world, "anonymous").get("/reviews").status_code == 401
    one = store.get("/reviews?rating=1&limit=5").json()
    assert one["count"] == 8 and all(r["rating"] == 1 for r in one["items"])


def test_figures_carry_n_intervals_and_the_low_sample_flag(world, reviews):
    viewer = api_as(world, "viewer")  # figures only: the viewer's role reads these
    body = viewer.get("/reviews/metrics?by=unit").json()
    summary = body["summary"]
    assert summary["volume"] == 41 and summary["rating"]["n"] == 41
    assert summary["rating"]["low"] < summary["rating"]["value"] < summary["rating"]["high"]
    assert summary["low_share"]["value"] == pytest.approx(100 * 17 / 41)
    assert {row["label"] for row in body["breakdown"]} == {"Store 1.1.1", "Store 1.1.2"}
    small = next(r for r in body["breakdown"] if r["label"] == "Store 1.1.2")
    assert small["rating"]["low_sample"] and small["volume"] == 1
    period = viewer.get("/reviews/metrics?start=2026-10-15&end=2026-10-28").json()
    assert period["summary"]["change"]["rating"]["reason"] == "low_sample"
    bad = viewer.get("/reviews/metrics?start=2026-10-15&end=2026-10-01")
    assert bad.status_code == 400 and "end" in bad.content.decode()
    mine = api_as(world, "other_admin").get("/reviews/metrics").json()
    assert mine["summary"]["volume"] == 1


def test_a_reply_through_the_api_is_handed_over_for_a_file_source(world, reviews):
    review = Review.objects.get(external_id="a0")
    answer = api_as(world, "store").post(f"/reviews/{review.pk}/replies", {"text": "Sorry!"})
    assert answer.status_code == 201 and answer.json()["status"] == "copied"
    assert (
        api_as(world, "agent").post(f"/reviews/{review.pk}/replies", {"text": "x"}).status_code
        == 403
    )


def test_sources_for_admins_with_write_only_credentials(world):
    admin = api_as(world, "admin")
    created = admin.post(
        "/review-sources",
        {"name": "Play", "kind": "google_play", "credentials": {"access_token": "ya29.secret"}},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["credentials_set"] == ["access_token"] and "ya29" not in created.content.decode()
    mapped = admin.post(
        f"/review-sources/{body['id']}/locations",
        {"external_id": "com.acme.app", "unit_code": "AC1R1"},
    )
    assert mapped.status_code == 201 and mapped.json()["unit_code"] == "AC1R1"
    bad = admin.post("/review-sources", {"name": "x", "kind": "myspace"})
    assert bad.status_code in (400, 422) and "kind" in bad.content.decode()
    wrong = admin.patch(f"/review-sources/{body['id']}", {"credentials": {"password": "x"}})
    assert wrong.status_code == 400 and "credentials" in wrong.content.decode()
    assert admin.patch(f"/review-sources/{body['id']}", {"interval_minutes": 30}).status_code == 200
    for who, status in (("store", 403), ("country_admin", 404), ("other_admin", 404)):
        assert api_as(world, who).get(f"/review-sources/{body['id']}").status_code == status
        assert api_as(world, who).delete(f"/review-sources/{body['id']}").status_code == status
    assert api_as(world, "other_admin").get("/review-sources").json() == []
    assert admin.delete(f"/review-sources/{body['id']}").status_code == 204
    assert not ReviewSource.objects.filter(pk=body["id"]).exists()
