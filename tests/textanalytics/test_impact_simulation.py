"""Theme impact's verdicts, proven by seeded simulation: a theme mentioned at random (no
effect on the score) is said to "drive detractors" in at most 5 % of samples, a theme whose
mentioners are as unhappy as real complainers is found in most samples of a usual size, and
nothing is claimed below the minimum sample."""

from __future__ import annotations

import random

from voxloop.analytics import metrics
from voxloop.analytics.metrics import Counts
from voxloop.textanalytics.insights import _impact_row

SEEDS = 400


def _sample(rng: random.Random, n: int, mention_rate: float, effect: bool) -> tuple:
    everyone, with_it = Counts(), Counts()
    for _ in range(n):
        mentioned = rng.random() < mention_rate
        # Scores drawn like the demo's: a third detractors overall; with an effect, those who
        # mention the theme are detractors twice as often.
        detractor_rate = 0.55 if (effect and mentioned) else 0.3
        roll = rng.random()
        score = rng.randint(0, 6) if roll < detractor_rate else rng.choice([7, 8, 9, 10])
        one = Counts.of_scores(score, None, None, False)
        everyone.add(one)
        if mentioned:
            with_it.add(one)
    without = Counts().add(everyone).add(with_it, -1)
    return with_it, without, everyone


def _rate(n: int, effect: bool) -> float:
    found = 0
    for seed in range(SEEDS):
        with_it, without, everyone = _sample(random.Random(seed), n, 0.2, effect)
        row = _impact_row(1, "theme", with_it, without, everyone, 30)
        found += row["drives_detractors"]
    return found / SEEDS


def test_a_theme_without_effect_is_rarely_said_to_drive_detractors():
    assert _rate(400, effect=False) <= 0.05


def test_a_real_driver_is_found_in_most_samples_of_a_usual_size():
    assert _rate(600, effect=True) >= 0.8


def test_reference_values_of_one_row():
    with_it = Counts.of({"promoters": 10, "passives": 10, "detractors": 30, "nps_n": 50})
    without = Counts.of({"promoters": 60, "passives": 50, "detractors": 40, "nps_n": 150})
    everyone = Counts().add(with_it).add(without)
    row = _impact_row(1, "queue", with_it, without, everyone, 30)
    assert row["with"]["value"] == -40.0 and round(row["without"]["value"], 4) == 13.3333
    # The test is the dashboard's own (an exact permutation test at these sizes).
    expected = metrics.change("nps", with_it, without, 30)
    assert row["difference"] == expected.as_dict()
    assert expected.method == "exact_permutation" and expected.significant
    assert round(row["difference"]["delta"], 2) == -53.33
    assert row["impact"] == 13.33  # everyone: 70 promoters, 70 detractors of 200 → NPS 0
    assert round(row["of_detractors"]["value"], 2) == round(100 * 30 / 70, 2)
    assert row["drives_detractors"]
