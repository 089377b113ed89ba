"""The small-sample methods against published numbers (shared/testdata/nps-stats-references,
read in place) and against scipy and statsmodels."""

import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from voxloop.analytics import inference, metrics
from voxloop.analytics.metrics import Counts


def _references() -> dict[str, dict]:
    here = Path(__file__).resolve()
    for candidate in (
        os.environ.get("VOXLOOP_TESTDATA"),
        *(parent / "shared" / "testdata" for parent in here.parents),
        "/work/shared/testdata",
    ):
        path = Path(candidate or "", "nps-stats-references", "nps_reference_cases.json")
        if candidate and path.is_file():
            return {c["id"]: c for c in json.loads(path.read_text())["cases"]}
    pytest.skip("the shared test data is not beside this checkout")


@pytest.fixture(scope="module")
def refs():
    return _references()


@pytest.mark.parametrize("case_id", ["talkstats_1162", "prepbench_case_040_sudzilla"])
def test_adjusted_wald_matches_the_reference(refs, case_id):
    case = refs[case_id]
    inputs = case.get("inputs") or {
        "promoters": case["published_values"]["promoters"],
        "detractors": case["published_values"]["detractors"],
        "n": case["published_values"]["total_respondents"],
    }
    p, d, n = inputs["promoters"], inputs["detractors"], inputs["n"]
    centre, low, high = inference.adjusted_wald(p, n - p - d, d)
    expected = case["computed_adjusted_wald"]
    assert 100 * centre == pytest.approx(expected["nps_adj"], abs=1e-3)
    assert (100 * low, 100 * high) == pytest.approx(expected["ci95"], abs=2e-3)
    # The figure shows that interval widened by one answer's step, 100/n points.
    f = metrics.nps(p, n - p - d, d)
    assert (f.low, f.high) == pytest.approx((100 * low - 100 / n, 100 * high + 100 / n))


def test_talkstats_margin_of_error_is_the_wald_se(refs):
    f = metrics.nps(291, 476, 395)
    assert round(f.value) == -9
    assert 1.959964 * f.se == pytest.approx(4.388, abs=1e-3)  # "confidence interval of 4.4"


@pytest.mark.parametrize(
    "case_id",
    ["rocks_NPS_counts_1_2_3", "rocks_NPS_counts_1_0_1", "rocks_NPS_counts_0_1_1"],
)
def test_rocks_package_standard_errors(refs, case_id):
    case = refs[case_id]
    i, published = case["inputs"], case["published_values"]
    f = metrics.nps(i["promoters"], i["passives"], i["detractors"])
    assert f.value / 100 == pytest.approx(published["nps_fraction"], abs=1e-6)
    assert f.se / 100 == pytest.approx(published["se_fraction"], abs=published["tolerance"])
    assert f.high > f.low  # small n: a wide interval, never a point


def test_two_sample_adjusted_z(refs):
    case = refs["two_sample_prep_air_vs_sudzilla"]
    a, b = case["inputs"]["a"], case["inputs"]["b"]
    counts = [
        (x["promoters"], x["n"] - x["promoters"] - x["detractors"], x["detractors"]) for x in (a, b)
    ]
    z, p = inference.nps_z_p(*counts)
    assert z == pytest.approx(case["computed_adjusted_wald"]["z"], abs=1e-3)
    assert p == pytest.approx(case["computed_adjusted_wald"]["p_two_sided"], abs=1e-5)


def test_newcombe_wilson_table(refs):
    for row in refs["newcombe1998_wilson_score"]["cases"]:
        low, high = metrics.wilson_interval(row["x"], row["n"])
        assert (low, high) == pytest.approx(row["published_wilson95"], abs=1e-4)


@pytest.mark.parametrize(("k", "n"), [(0, 1), (1, 1), (0, 20), (1, 29), (81, 263), (29, 29)])
def test_wilson_with_continuity_correction_matches_scipy(k, n):
    ci = stats.binomtest(k, n).proportion_ci(method="wilsoncc")
    assert inference.wilson_cc(k, n) == pytest.approx((ci.low, ci.high), abs=1e-9)


@pytest.mark.parametrize(
    ("a", "b"), [((3, 0, 0), (0, 0, 3)), ((2, 1, 1), (4, 1, 0)), ((3, 2, 1), (1, 2, 4))]
)
def test_exact_nps_test_matches_scipys_permutation_test(a, b):
    def scores(c):
        return np.array([1] * c[0] + [0] * c[1] + [-1] * c[2])

    ref = stats.permutation_test(
        (scores(a), scores(b)),
        lambda x, y: abs(np.mean(x) - np.mean(y)),  # two-sided as |difference| ≥ observed
        permutation_type="independent",
        n_resamples=np.inf,
        alternative="greater",
    )
    assert inference.nps_exact_p(a, b) == pytest.approx(ref.pvalue, abs=1e-9)


def test_exact_nps_test_by_brute_force():
    a, b = (2, 0, 1), (0, 1, 3)
    pooled = [1, 1, -1, 0, -1, -1, -1]
    observed = abs(np.mean([1, 1, -1]) - np.mean([0, -1, -1, -1]))
    splits = list(itertools.combinations(range(7), 3))
    extreme = 0
    for chosen in splits:
        x = [pooled[i] for i in chosen]
        y = [pooled[i] for i in range(7) if i not in chosen]
        extreme += abs(np.mean(x) - np.mean(y)) >= observed - 1e-12
    assert inference.nps_exact_p(a, b) == pytest.approx(extreme / len(splits))


def test_bounded_mean_interval_on_minus1_0_plus1_is_the_adjusted_nps_with_t():
    # NPS is the mean of +1/0/−1: on that scale the two adjustments are one and the same.
    p, m, d = 30, 10, 20
    low, high = inference.bounded_mean_interval(p - d, p + d, p + m + d, -1.0, 1.0)
    centre, *_ = inference.adjusted_wald(p, m, d)
    assert (low + high) / 2 == pytest.approx(centre)


def test_benjamini_hochberg_matches_statsmodels():
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.003, size=10)]).tolist()
    ours = inference.benjamini_hochberg(p)
    theirs = multipletests(p, alpha=0.05, method="fdr_bh")[0].tolist()
    assert ours == theirs and sum(ours) >= 10


def test_a_change_needs_the_minimum_on_both_sides():
    big, small = Counts(n=100, promoters=60, passives=20, detractors=20), Counts(n=2, promoters=2)
    assert metrics.change("nps", big, small).reason == metrics.LOW_SAMPLE
    assert metrics.change("responses", big, small).reason == metrics.LOW_SAMPLE
    assert metrics.change("nps", big, Counts()).reason == metrics.NO_DATA
    assert metrics.change("nps", big, big).p_value == pytest.approx(1.0)


def test_clipped_intervals_say_so():
    assert metrics.nps(5, 0, 0).clipped and metrics.nps(5, 0, 0).high == 100.0
    assert not metrics.nps(50, 30, 20).clipped
    assert metrics.mean("ces", 7 * 3, 49 * 3, 3).clipped
