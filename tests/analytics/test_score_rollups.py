"""The 0–10 score rollups (decision 0033) equal counting the responses: after edits,
deletions and erasures, for each reader's scope (a store manager never sees a score from
outside her subtree), and as the migration's backfill from the ledger writes them."""

import importlib
from collections import Counter

import pytest

from tests.analytics.support import backfilled_rows, facet_rows
from tests.analytics.test_bounded_reads import ctx_for, seeded  # noqa: F401 - fixture
from voxloop.analytics import distribution, raw_counts, selectors
from voxloop.analytics.models import Facet

backfill = importlib.import_module("voxloop.analytics.migrations.0008_score_rollups").backfill
below = importlib.import_module("voxloop.analytics.migrations.0015_below_facets_at_ancestors")


def recount(ctx) -> dict[int, int]:
    found = Counter(r.nps for r in raw_counts.responses(ctx) if r.nps is not None)
    return dict(found)


@pytest.mark.parametrize("person", ["store", "regional", "director"])
def test_score_histogram_equals_counting_the_responses(world, seeded, person):  # noqa: F811
    for period in ("30d", "90d", "365d"):
        for channel in ("", "web", "sms"):
            ctx = ctx_for(world, person, period=period, channel=channel)
            expected = recount(ctx)
            got = {int(k): v for k, v in selectors.score_counts(ctx).items() if v}
            assert got == expected, (person, period, channel)
            dist = distribution.nps_distribution(ctx)
            if expected:
                assert {s["score"]: s["n"] for s in dist["scores"] if s["n"]} == expected
                assert sum(expected.values()) == dist["n"]


def test_store_manager_sees_only_her_subtree(world, seeded):  # noqa: F811
    store = ctx_for(world, "store")
    director = ctx_for(world, "director")
    assert sum(selectors.score_counts(store).values()) < sum(
        selectors.score_counts(director).values()
    )
    # Her figures are her node's rows; her node is inside her scope.
    assert store.node.path.startswith(world.acme.scope("store").unit_path)
    assert recount(store) == {int(k): v for k, v in selectors.score_counts(store).items() if v}


def test_backfill_from_the_ledger_equals_the_maintained_rows(world, seeded):  # noqa: F811
    maintained = facet_rows(Facet.SCORE)
    assert maintained
    # The backfill wrote the rows at the answer's own unit too, the layout before decision
    # 0059; its migration (0015) makes today's from the ledger.
    assert backfilled_rows(Facet.SCORE, backfill) == backfilled_rows(
        Facet.SCORE, below.at_own_unit_too
    )
    assert backfilled_rows(Facet.SCORE, below.at_ancestors) == maintained
