"""Storing reviews a page at a time gives what storing them one by one gives: the lighter
analysis reads the same language, sentiment and themes, the PostgreSQL `COPY` writes the rows
`bulk_create` writes, and a page of new reviews is one event and at most one task."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from django_tasks import default_task_backend

from tests.reviews.corpus import samples
from tests.reviews.support import make_source
from voxloop.closedloop import services as closedloop_services
from voxloop.reviews import bulking, fetching, services
from voxloop.reviews.connectors.base import Fetched
from voxloop.reviews.models import Review
from voxloop.reviews.signals import reviews_received
from voxloop.textanalytics.engine.pipeline import FastAnalyzer
from voxloop.textanalytics.matching import default_matcher

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
KEPT = ("language", "sentiment", "sentiment_score", "themes", "analysed_digest", "digest")


def _texts() -> list[tuple[str, str]]:
    return [(s.text, lang) for lang in ("en", "zh", "ja", "ro") for s in samples(lang, 4)]


def test_the_core_analysis_reads_what_the_full_one_reads():
    full, core = FastAnalyzer(), FastAnalyzer(with_keywords=False, with_cues=False)
    matcher = default_matcher()
    for text, locale in _texts():
        a, b = full.analyse_one(text, locale, matcher), core.analyse_one(text, locale, matcher)
        assert (a.language, a.sentiment, a.score) == (b.language, b.sentiment, b.score), text
        assert [(t.key, t.sentiment, t.path) for t in a.themes] == [
            (t.key, t.sentiment, t.path) for t in b.themes
        ]
        assert not b.keywords and not b.intents


def _csv(rows: list[tuple[str, int, str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "location", "rating", "date", "text", "language"])
    for external_id, rating, text, language in rows:
        writer.writerow([external_id, "shop", rating, "2026-10-01T10:00:00Z", text, language])
    return out.getvalue().encode()


def _stored(source) -> dict[str, tuple]:
    return {
        r["external_id"]: tuple(r[k] for k in KEPT)
        for r in Review.objects.filter(source=source).values("external_id", *KEPT)
    }


def test_a_file_imported_at_once_stores_what_one_row_at_a_time_stores(world):
    scope = world.acme.scope("admin")
    rows = [(f"r{i}", 1 + i % 5, text, lang) for i, (text, lang) in enumerate(_texts())]
    rows.append(("blank", 3, "", ""))
    at_once = make_source(world.acme, "file", locations={"shop": "c1r1s1"}, name="At once")
    one_by_one = make_source(world.acme, "file", locations={"shop": "c1r1s1"}, name="One")
    report = services.import_file(scope=scope, source=at_once, name="a.csv", data=_csv(rows))
    assert report.new == len(rows) and not report.problems
    for row in rows:
        services.import_file(scope=scope, source=one_by_one, name="b.csv", data=_csv([row]))
    batch, single = _stored(at_once), _stored(one_by_one)
    assert batch == single and len(batch) == len(rows)
    assert {v[1] for v in batch.values()} >= {"positive", "negative"}  # really analysed


def _fresh(source, location, n: int, tag: str) -> list[Review]:
    items = [
        Fetched(
            external_id=f"{tag}{i}",
            location_id="shop",
            rating=1 + i % 5,
            posted_at=T0 - timedelta(days=i),
            edited_at=T0 if i % 2 else None,
            author_name="Ana\tB\\" if i == 0 else "",
            title="Tab\there, new\nline",
            text='Quotes "\'and" 服务很好',
            language="ro" if i % 3 else "",
            reply_text="",
            reply_at=None,
            url="",
            removed=i == 2,
        )
        for i in range(n)
    ]
    reviews = [fetching._new_review(source, location, item, T0) for item in items]
    for review in reviews:
        review.themes = [{"key": "staff", "name": "Staff", "path": ["staff"], "sentiment": "+"}]
        review.sentiment_score = 0.25
    return reviews


def test_the_bulk_insert_writes_the_rows_bulk_create_writes(world):
    first = make_source(world.acme, "file", locations={"shop": "c1r1s1"}, name="Copy")
    second = make_source(world.acme, "file", locations={"shop": "c1r1s1"}, name="ORM")
    copied = bulking.insert(_fresh(first, first.locations.get(), 4, "x"))
    Review.objects.bulk_create(_fresh(second, second.locations.get(), 4, "x"))
    assert len(copied) == 4 and list(Review.objects.filter(pk__in=copied)) != []
    skip = {"id", "source_id", "location_id"}

    def rows(source) -> list[dict]:
        found = Review.objects.filter(source=source).order_by("external_id").values()
        return [{k: v for k, v in row.items() if k not in skip} for row in found]

    assert rows(first) == rows(second)
    assert bulking.insert([]) == []


@pytest.fixture
def heard():
    events: list[list[dict]] = []

    def listen(sender, **kwargs):
        events.append(kwargs["events"])

    reviews_received.connect(listen, dispatch_uid="test.heard")
    yield events
    reviews_received.disconnect(dispatch_uid="test.heard")


def _recent_file(now) -> bytes:
    rows = [(f"n{i}", 1, "Nobody answered the phone.", "en") for i in range(3)]
    data = _csv(rows).decode().replace("2026-10-01T10:00:00Z", now.isoformat())
    return (data + "old,shop,1,2020-01-01T00:00:00Z,Old news.,en\r\n").encode()


@pytest.mark.parametrize("with_rule", [False, True])
def test_a_page_of_new_reviews_is_one_event_and_at_most_one_task(
    world, heard, monkeypatch, with_rule, request, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(closedloop_services, "_review_rules_cache", {})
    if with_rule:
        request.getfixturevalue("low_rating_rule")
    default_task_backend.clear()
    source = make_source(world.acme, "file", locations={"shop": "c1r1s1"})
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        report = services.import_file(
            scope=world.acme.scope("admin"), source=source, name="r.csv", data=_recent_file(now)
        )
    assert report.new == 4
    (events,) = heard  # one signal for the page, with the three recent reviews only
    assert sorted(e["rating"] for e in events) == [1, 1, 1] and len(events) == 3
    tasks = [r for r in default_task_backend.results if r.task.name == "evaluate_reviews"]
    if not with_rule:
        assert tasks == []  # no rule on reviews: no task at all
    else:
        (task,) = tasks
        assert [e["id"] for e in task.args[0]] == [e["id"] for e in events]
