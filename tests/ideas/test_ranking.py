"""The rank against raw vote counts, by seeded simulation (decision 0040): a board of ideas
posted on different days, each drawing votes at its own steady daily rate (its true appeal),
and one weak idea pushed by a burst of votes from many addresses in one day. The rank keeps
the burst out of the top far more often than raw counts do, and orders ideas by their true
appeal better than raw counts, which favour old ideas."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

from voxloop.ideas import ranking

DAYS, IDEAS, TRIALS, BURST = 60, 30, 200, 200
TODAY = date(2026, 6, 30)


def _poisson(rng: random.Random, rate: float) -> int:
    limit, k, p = math.exp(-rate), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def _board(rng: random.Random) -> tuple[list[float], list[list[date]]]:
    rates = [rng.uniform(0.05, 3.0) for _ in range(IDEAS)]
    votes: list[list[date]] = []
    for rate in rates:
        start = rng.randrange(0, DAYS - 5)
        days = []
        for day in range(start, DAYS):
            days += [TODAY - timedelta(days=DAYS - 1 - day)] * _poisson(rng, rate)
        votes.append(days)
    return rates, votes


def _ranks(values: list[float]) -> list[int]:
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for position, i in enumerate(order):
        ranks[i] = position
    return ranks


def _spearman(a: list[float], b: list[float]) -> float:
    ra, rb = _ranks(a), _ranks(b)
    n = len(a)
    return 1 - 6 * sum((x - y) ** 2 for x, y in zip(ra, rb, strict=True)) / (n * (n * n - 1))


def _score(days: list[date]) -> float:
    stored = ranking.stored_score(days, half_life=30, allowance=10)
    return ranking.current(stored, TODAY, half_life=30)


def test_a_burst_of_votes_reaches_the_top_far_less_often_than_by_raw_counts():
    rng = random.Random(20261207)
    in_top_raw = in_top_rank = 0
    for _ in range(TRIALS):
        rates, votes = _board(rng)
        weak = min(range(IDEAS), key=lambda i: rates[i])
        votes[weak] += [TODAY - timedelta(days=rng.randrange(0, 7))] * BURST
        raw = [float(len(v)) for v in votes]
        scored = [_score(v) for v in votes]
        in_top_raw += _ranks(raw)[weak] < 3
        in_top_rank += _ranks(scored)[weak] < 3
    assert in_top_raw / TRIALS > 0.9
    assert in_top_rank / TRIALS < 0.05


def test_the_rank_follows_true_appeal_better_than_raw_counts():
    rng = random.Random(7)
    raw_rho = rank_rho = 0.0
    for _ in range(TRIALS):
        rates, votes = _board(rng)
        raw_rho += _spearman([float(len(v)) for v in votes], rates)
        rank_rho += _spearman([_score(v) for v in votes], rates)
    assert rank_rho / TRIALS > raw_rho / TRIALS + 0.05


def test_the_stored_score_keeps_its_order_as_days_pass():
    old = [date(2026, 1, 1)] * 40
    new = [date(2026, 5, 1)] * 8
    a, b = (ranking.stored_score(d, half_life=30, allowance=10) for d in (old, new))
    assert b > a  # four months of decay: 40 then is worth 40/16 = 2.5 now
    for later in (date(2026, 6, 1), date(2027, 6, 1)):
        assert ranking.current(b, later, half_life=30) > ranking.current(a, later, half_life=30)
    assert ranking.damped(300, 10) < 28
