"""The AUC and its interval: a published reference value, and seeded simulations of the
interval's coverage and of the test's false-positive rate against "no separation"."""

from __future__ import annotations

import math
import random

import pytest

from voxloop.health import scoring
from voxloop.health.validation import separation

# Hanley & McNeil (1982), Radiology 143:29–36, Table 1: radiologists' ratings (1 = definitely
# normal … 5 = definitely abnormal) of 109 CT images, 58 normal and 51 abnormal. Published
# area under the ROC curve 0.893 (trapezoidal), standard error 0.032 (their formula; DeLong's
# estimator, used here, is close to it on these data).
NORMAL = [1] * 33 + [2] * 6 + [3] * 6 + [4] * 11 + [5] * 2
ABNORMAL = [1] * 3 + [2] * 2 + [3] * 2 + [4] * 11 + [5] * 33


def test_hanley_mcneil_reference_value():
    found = separation(stayed=[float(x) for x in ABNORMAL], left=[float(x) for x in NORMAL])
    assert found.auc == pytest.approx(0.893, abs=0.0005)
    assert found.se == pytest.approx(0.032, abs=0.002)
    assert found.low < 0.893 < found.high and not found.low_sample


def _binormal(rng: random.Random, n_stay: int, n_left: int, shift: float):
    stayed = [rng.gauss(shift, 1) for _ in range(n_stay)]
    left = [rng.gauss(0, 1) for _ in range(n_left)]
    return stayed, left


@pytest.mark.parametrize(("n_stay", "n_left", "true_auc"), [(60, 15, 0.75), (30, 30, 0.9)])
def test_interval_holds_its_coverage_at_small_samples(n_stay, n_left, true_auc):
    # Binormal with equal variances: AUC = Φ(shift / √2), so shift = √2 Φ⁻¹(AUC).
    from statistics import NormalDist

    shift = math.sqrt(2) * NormalDist().inv_cdf(true_auc)
    rng = random.Random(20261207)
    runs, covered = 600, 0
    for _ in range(runs):
        found = separation(*_binormal(rng, n_stay, n_left, shift))
        covered += found.low <= true_auc <= found.high
    assert 0.925 <= covered / runs <= 0.975


def test_no_separation_is_flagged_about_five_percent_of_the_time():
    rng = random.Random(7)
    runs = 800
    flagged = sum(separation(*_binormal(rng, 40, 12, 0.0)).p_value < 0.05 for _ in range(runs))
    assert flagged / runs <= 0.075
    # Scores with many ties (whole numbers, as health bands often are) keep it too.
    tied = sum(
        separation([float(rng.randint(0, 4)) for _ in range(30)],
                   [float(rng.randint(0, 4)) for _ in range(8)]).p_value < 0.05
        for _ in range(runs)
    )  # fmt: skip
    assert tied / runs <= 0.075


def test_too_few_in_a_group_is_low_sample_without_an_interval():
    found = separation(stayed=[80.0, 70.0, 90.0, 60.0, 75.0, 85.0], left=[30.0, 65.0])
    assert found.low_sample and found.low is None and found.auc == pytest.approx(11 / 12, abs=1e-3)
    assert separation(stayed=[1.0], left=[]).auc is None


def test_signal_points_curve_and_thresholds_both_ways():
    curve = scoring.Rule("nps", 1, scoring.CURVE, -50, 50)
    assert [scoring.points(curve, v) for v in (-80, -50, 0, 50, 90)] == [0, 0, 50, 100, 100]
    cases = scoring.Rule("open_cases", 1, scoring.STEPS, 3, 0)  # fewer is better
    assert [scoring.points(cases, v) for v in (0, 1, 3, 5)] == [100, 50, 0, 0]
    assert scoring.points(curve, None) is None


def test_score_is_a_weighted_average_of_measured_signals_only():
    rules = [
        scoring.Rule("a", 3, scoring.CURVE, 0, 100),
        scoring.Rule("b", 1, scoring.CURVE, 0, 100),
    ]
    value, parts = scoring.score(rules, {"a": 80, "b": None})
    assert value == 80 and parts[1]["points"] is None
    value, _ = scoring.score(rules, {"a": 80, "b": 0})
    assert value == 60
    assert scoring.score(rules, {})[0] is None
    assert scoring.band(39.9, 40, 70) == "red" and scoring.band(69, 40, 70) == "amber"
    assert scoring.dropped_across("green", "amber") and not scoring.dropped_across("red", "amber")
