"""Hour, language, score and hour-of-the-week rows kept at a unit's ancestors only, a unit's
own responses read from the ledger (decision 0059): every reader's figures equal counting
the responses, with answers at stores, at a region and at the company itself; and the
migration makes from the ledger exactly the rows every writer keeps, both ways."""

import importlib
import random
from collections import Counter
from datetime import UTC

import pytest

from tests.analytics.support import backfilled_rows, facet_rows, respond, staff_of
from tests.analytics.test_bounded_reads import TODAY, at
from voxloop.analytics import filters, raw_counts, selectors, services
from voxloop.analytics.metrics import Counts
from voxloop.analytics.models import BELOW_FACETS, Facet, Rollup
from voxloop.responses.models import Response
from voxloop.responses.signals import responses_changed

below = importlib.import_module("voxloop.analytics.migrations.0015_below_facets_at_ancestors")
scores = importlib.import_module("voxloop.analytics.migrations.0008_score_rollups")
# Stores, a region and the company: a non-leaf unit with answers of its own.
PLACES = ("c1r1s1", "c1r1s2", "c2r1s1", "c1r1", "root")
LOCALES = ("en", "ja", "ro", "zh-hans")


@pytest.fixture
def spread(world, survey):
    rng = random.Random(59)
    org = world.acme
    made = []
    for _ in range(70):
        name = rng.choice(PLACES)
        unit = org.root if name == "root" else org.units[name]
        made.append(
            respond(
                survey,
                unit,
                nps=rng.choice([None, *range(11)]),
                csat=rng.randint(1, 5),
                at=at(rng.uniform(0, 89)),
                staff=staff_of(unit) if len(name) == 6 else None,
                locale=rng.choice(LOCALES),
                channel=rng.choice(["web", "sms"]),
                comment="why" if rng.random() < 0.3 else "",
            )
        )
    edited = rng.sample([r.pk for r in made], 10)
    for pk in edited:
        Response.objects.filter(pk=pk).update(nps=rng.randint(0, 10), locale="ro")
    responses_changed.send(Response, organization_id=org.root.organization_id, response_ids=edited)
    Response.objects.filter(pk__in=rng.sample([r.pk for r in made], 7)).delete()
    services.rebuild(organization_id=org.root.organization_id)
    return survey


def _ctx(world, person: str, **params):
    chosen = filters.parse({"period": "90d", **params}, today=TODAY)
    return selectors.context(world.acme.scope(person), chosen)


def _figures(rows: list[dict]) -> dict:
    return {str(r["key"]): (r["n"], r["value"]) for r in rows if r["n"]}


def _recounted(ctx, answers: list, key) -> dict:
    """Each key's figures as the dashboard works them out, from counting the answers."""
    counts: dict[str, Counts] = {}
    for r in answers:
        c = Counts.of_scores(r.nps, r.csat, r.ces, False)
        counts.setdefault(str(key(r)), Counts()).add(c)
    cells = {k: selectors.cell(ctx, c) for k, c in counts.items()}
    return {k: (c["n"], c["value"]) for k, c in cells.items() if c["n"]}


@pytest.mark.parametrize("person", ["store", "regional", "director"])
@pytest.mark.parametrize("params", [{}, {"channel": "sms"}, {"period": "last_month"}])
def test_figures_equal_counting_the_responses(world, spread, person, params):
    ctx = _ctx(world, person, **params)
    answers = list(raw_counts.responses(ctx))
    assert answers, "every reader has answers in the seed"
    languages = _recounted(ctx, answers, lambda r: r.locale)
    assert _figures(selectors.by_dimension(ctx, "language")) == languages
    hours = _recounted(ctx, answers, lambda r: r.submitted_at.astimezone(UTC).hour)
    assert _figures(selectors.by_dimension(ctx, "hour")) == hours
    given = Counter(str(r.nps) for r in answers if r.nps is not None)
    assert {k: v for k, v in selectors.score_counts(ctx).items() if v} == dict(given)
    grid = [[Counts() for _ in range(24)] for _ in range(7)]
    for r in answers:
        when = r.submitted_at.astimezone(UTC)
        grid[when.weekday()][when.hour].add(Counts.of_scores(r.nps, r.csat, r.ces, False))
    assert selectors.heatmap(ctx) == [[selectors.cell(ctx, c) for c in row] for row in grid]


def test_the_region_adds_its_own_answers_to_its_stores_rows(world, spread):
    region = world.acme.units["c1r1"]
    own = Response.objects.filter(unit_path=region.path).count()
    assert own, "the seed answers at the region itself"
    rows = Rollup.objects.filter(node_path=region.path, facet=Facet.LOCALE)
    stores = Response.objects.filter(unit_path__startswith=region.path).exclude(
        unit_path=region.path
    )
    assert sum(r.n for r in rows) == stores.count()  # the rows: its stores' answers only
    ctx = _ctx(world, "regional", period="365d")
    counts = selectors._counts_by(ctx, Facet.LOCALE, "value")
    assert sum(c.n for c in counts.values()) == stores.count() + own


def test_stores_write_none_of_these_rows(world, spread):
    stores = [u.path for name, u in world.acme.units.items() if len(name) == 6]
    assert Rollup.objects.filter(node_path__in=stores, facet__in=BELOW_FACETS).count() == 0
    assert Rollup.objects.filter(node_path__in=stores, facet=Facet.TOTAL).exists()


def test_migration_makes_the_maintained_rows_both_ways(world, spread):
    maintained = {facet: facet_rows(facet) for facet in BELOW_FACETS}
    assert all(maintained.values())
    # Back: the rows at the answer's own unit too, as decision 0033's backfill made them.
    old_scores = backfilled_rows(Facet.SCORE, scores.backfill)
    assert old_scores != maintained[Facet.SCORE]
    assert backfilled_rows(Facet.SCORE, below.at_own_unit_too) == old_scores
    for facet in BELOW_FACETS:
        assert backfilled_rows(facet, below.at_ancestors) == maintained[facet], facet
