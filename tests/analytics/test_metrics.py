"""The metric engine against independent computations: scipy, statsmodels and hand work."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voxloop.analytics import metrics
from voxloop.analytics.metrics import Counts

scipy_stats = pytest.importorskip("scipy.stats")
proportion = pytest.importorskip("statsmodels.stats.proportion")


def test_nps_hand_worked_example():
    # 50 promoters, 30 passives, 20 detractors: NPS 30; p_P=.5, p_D=.2
    # var = (.5 + .2 - .3²)/100 = .0061 → se = 100·√.0061 = 7.8102
    f = metrics.nps(50, 30, 20)
    assert f.value == pytest.approx(30.0)
    assert f.se == pytest.approx(7.81025, abs=1e-4)
    # Adjusted Wald: 50.75 promoters and 20.75 detractors of 103 → centre 29.126,
    # se = 100·√((.49272 + .20146 − .29126²)/103) = 7.6915; widened by 100/n = 1 point.
    centre, se_adj = 100 * 30 / 103, 100 * math.sqrt((50.75 + 20.75 - 30**2 / 103) / 103**2)
    assert se_adj == pytest.approx(7.6915, abs=1e-3)
    assert (f.low, f.high) == pytest.approx(
        (centre - 1.959964 * se_adj - 1, centre + 1.959964 * se_adj + 1), abs=1e-3
    )
    assert f.n == 100 and not f.low_sample


def test_nps_se_equals_the_sd_of_the_minus1_0_plus1_scores():
    # NPS is the mean of +100 (promoter), 0 (passive), −100 (detractor); its se is that
    # variable's population sd over √n: an independent route to the same number.
    scores = [100] * 12 + [0] * 7 + [-100] * 9
    n = len(scores)
    mean = sum(scores) / n
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / n)
    f = metrics.nps(12, 7, 9)
    assert f.value == pytest.approx(mean)
    assert f.se == pytest.approx(sd / math.sqrt(n))
    assert f.low_sample  # 28 < 30


def test_low_sample_threshold_is_configurable():
    assert metrics.nps(5, 0, 0, min_n=5).low_sample is False
    assert metrics.nps(5, 0, 0).low_sample is True
    assert metrics.nps(0, 0, 0).value is None


@settings(deadline=None)
@given(st.integers(0, 400), st.integers(1, 400))
def test_wilson_matches_statsmodels(k, extra):
    n = k + extra
    low, high = metrics.wilson_interval(k, n)
    ref_low, ref_high = proportion.proportion_confint(k, n, alpha=0.05, method="wilson")
    assert low == pytest.approx(ref_low, abs=1e-9)
    assert high == pytest.approx(ref_high, abs=1e-9)


def test_csat_top2_box_with_wilson_interval():
    # 1–5 answers: 40 fours and fives out of 50
    c = Counts(csat_n=50, csat_top2=40, csat_sum=200, csat_sq=850)
    f = metrics.figure("csat", c)
    ci = scipy_stats.binomtest(40, 50).proportion_ci(method="wilsoncc")
    low, high = ci.low, ci.high
    assert f.value == pytest.approx(80.0)
    assert (f.low, f.high) == pytest.approx((100 * low, 100 * high))


def test_mean_and_interval_match_scipy():
    values = [1, 2, 2, 3, 4, 5, 5, 5, 6, 7, 7, 3]
    f = metrics.mean("ces", sum(values), sum(v * v for v in values), len(values))
    assert f.value == pytest.approx(sum(values) / len(values))
    assert f.se == pytest.approx(scipy_stats.sem(values))


@settings(deadline=None)
@given(st.floats(-6, 6))
def test_two_sided_p_matches_scipy(z):
    assert metrics.normal_two_sided_p(z) == pytest.approx(
        2 * scipy_stats.norm.sf(abs(z)), abs=1e-12
    )


def test_nps_change_z_test_on_adjusted_estimates_when_both_sides_are_large():
    now, before = (
        Counts(promoters=120, passives=40, detractors=40),
        Counts(promoters=80, passives=60, detractors=60),
    )
    change = metrics.change("nps", now, before)
    a = ((120.75 - 40.75) / 203, (120.75 + 40.75) / 203)  # (NPS, P + D) adjusted
    b = ((80.75 - 60.75) / 203, (80.75 + 60.75) / 203)
    se = math.sqrt((a[1] - a[0] ** 2) / 203 + (b[1] - b[0] ** 2) / 203)
    z = (a[0] - b[0]) / se
    assert change.method == "z"
    assert change.delta == pytest.approx(30.0)
    assert change.z == pytest.approx(z)
    assert change.p_value == pytest.approx(2 * scipy_stats.norm.sf(z))
    assert change.significant


def test_nps_dropping_20_points_on_five_answers_is_not_significant():
    now = Counts.of_scores(10, None, None, False).add(
        Counts(nps_n=4, promoters=2, passives=1, detractors=1)
    )
    before = Counts(nps_n=5, promoters=4, passives=1)
    change = metrics.change("nps", now, before)
    assert change.delta is None and change.reason == metrics.LOW_SAMPLE
    change = metrics.change("nps", now, before, min_n=1)  # the test itself, rule off
    assert change.delta is not None and change.delta < 0
    assert change.method == "exact_permutation"
    assert not change.significant and change.p_value > 0.05


def test_two_proportion_z_matches_statsmodels_for_large_groups():
    from statsmodels.stats.proportion import proportions_ztest

    change = metrics.proportion_change(450, 600, 300, 550)
    z, p = proportions_ztest([450, 300], [600, 550])
    assert change.method == "pooled_z"
    assert change.z == pytest.approx(z)
    assert change.p_value == pytest.approx(p)


def test_small_proportions_use_fishers_exact_test():
    change = metrics.proportion_change(45, 60, 30, 55)
    assert change.method == "fisher_exact" and change.z is None
    assert change.p_value == pytest.approx(scipy_stats.fisher_exact([[45, 15], [30, 25]]).pvalue)


def test_welch_change_of_means():
    a = [5, 6, 7, 7, 6, 5, 7, 4]
    b = [3, 4, 5, 4, 3, 6, 2, 4, 5]
    fa = metrics.mean("ces", sum(a), sum(x * x for x in a), len(a))
    fb = metrics.mean("ces", sum(b), sum(x * x for x in b), len(b))
    change = metrics.mean_change(fa, fb)
    ref = scipy_stats.ttest_ind(a, b, equal_var=False)
    assert change.z == pytest.approx(ref.statistic)
    assert change.p_value == pytest.approx(ref.pvalue)  # Welch–Satterthwaite df


def test_counts_of_scores_groups_nps():
    c = Counts.of_scores(9, 4, 5, True).add(Counts.of_scores(6, 3, 2, False))
    assert (c.n, c.promoters, c.detractors, c.passives) == (2, 1, 1, 0)
    assert (c.csat_top2, c.csat_sum, c.ces_agree, c.comments) == (1, 7, 1, 1)


def test_a_suppressed_figure_keeps_nothing_that_would_reveal_its_group():
    f = metrics.suppress(metrics.figure("enps", Counts(n=4, promoters=3, detractors=1)))
    assert f.suppressed and f.value is None and f.n == 0
    assert f.se is None and f.low is None and f.high is None
