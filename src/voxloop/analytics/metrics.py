"""The metric engine's arithmetic: pure functions from counts to figures with their statistics.

Everything here works on counts and sums (what the rollups hold), never on rows, so the same
function serves a store's day and the whole company's year. Definitions follow DESIGN.md:

- NPS = 100·(P−D)/n over 0–10 answers; se = 100·√((p_P + p_D − (p_P − p_D)²)/n) (the plain
  Wald se, kept as the figure's se); the interval is the adjusted Wald (analytics.inference).
- CSAT = % of 4–5 on the 1–5 scale (top-2 box) with a Wilson interval, plus the mean.
- CES = mean of 1–7 "made it easy", plus % agree (5–7) with a Wilson interval.
- eNPS is NPS computed over employee surveys only.

Intervals and tests that hold at small n are in analytics.inference; a figure under the
minimum n is flagged "low sample", and a change needs the minimum n on both sides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any

from voxloop.analytics import inference

Z95 = inference.Z95  # the two-sided 95% quantile of the standard normal
DEFAULT_MIN_N = 30
# Anonymous surveys never show a group of fewer distinct people than this, nor one that shown
# figures would let be worked out (DESIGN.md; decision 0016, analytics.anonymity).
EMPLOYEE_MIN_GROUP = 5
SIGNIFICANCE = 0.05


@dataclass
class Counts:
    """What a rollup row (or a sum of them) holds: enough for every metric and its interval."""

    n: int = 0
    nps_n: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    csat_n: int = 0
    csat_sum: int = 0
    csat_sq: int = 0
    csat_top2: int = 0
    ces_n: int = 0
    ces_sum: int = 0
    ces_sq: int = 0
    ces_agree: int = 0
    comments: int = 0

    def add(self, other: Counts, sign: int = 1) -> Counts:
        # Straight to the attribute dicts: a staff table adds tens of thousands of these.
        mine, theirs = self.__dict__, other.__dict__
        for name in COUNT_FIELDS:
            mine[name] += sign * theirs[name]
        return self

    @classmethod
    def of(cls, row: dict[str, Any]) -> Counts:
        return cls(**{f.name: int(row.get(f.name) or 0) for f in fields(cls)})

    @classmethod
    def of_scores(cls, nps: int | None, csat: int | None, ces: int | None, comment: bool) -> Counts:
        """One response's contribution."""
        c = cls(n=1, comments=int(bool(comment)))
        if nps is not None:
            c.nps_n = 1
            c.promoters, c.passives, c.detractors = int(nps >= 9), int(7 <= nps <= 8), int(nps <= 6)
        if csat is not None:
            c.csat_n, c.csat_sum, c.csat_sq, c.csat_top2 = 1, csat, csat * csat, int(csat >= 4)
        if ces is not None:
            c.ces_n, c.ces_sum, c.ces_sq, c.ces_agree = 1, ces, ces * ces, int(ces >= 5)
        return c

    def is_zero(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))


COUNT_FIELDS = tuple(f.name for f in fields(Counts))


@dataclass(frozen=True)
class Figure:
    """One number as it may be shown: value, n, 95% interval, and whether n is too small."""

    metric: str
    value: float | None
    n: int
    low: float | None = None
    high: float | None = None
    se: float | None = None
    low_sample: bool = True
    suppressed: bool = False  # an employee group under the anonymity minimum: no value at all
    clipped: bool = False  # the interval ran past the scale's end and was cut there

    def as_dict(self) -> dict[str, Any]:
        # Shallow (every field is a number, bool or None): dataclasses.asdict deep-copies.
        values = ((f, getattr(self, f)) for f in FIGURE_FIELDS)
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in values}


FIGURE_FIELDS = tuple(f.name for f in fields(Figure))


# Why a change is not given (Change.reason).
NO_DATA = "no_data"
LOW_SAMPLE = "low_sample"  # fewer than the minimum n on one side or both
TOO_FEW_TO_TEST = "too_few_to_test"  # a mean from a single value, or no spread at all
BEFORE_HISTORY = "before_history"  # the previous period began before any answer was counted


@dataclass(frozen=True)
class Change:
    """Period over period (or one group against another): the difference, its test statistic
    (None for an exact test) and two-sided p-value, or no comparison and why (`reason`)."""

    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool
    reason: str | None = None
    method: str | None = None  # exact_permutation, fisher_exact, z, pooled_z, welch_t

    def as_dict(self) -> dict[str, Any]:
        values = ((f, getattr(self, f)) for f in CHANGE_FIELDS)
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in values}


CHANGE_FIELDS = tuple(f.name for f in fields(Change))


def no_comparison(reason: str) -> Change:
    return Change(None, None, None, False, reason)


# --- distributions ---------------------------------------------------------------------------


normal_two_sided_p = inference.normal_two_sided_p
# Plausible ranks of estimates with their standard errors (league tables, benchmarks).
rank_intervals = inference.rank_intervals


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n (as fractions 0..1)."""
    if n <= 0:
        return (0.0, 1.0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


# --- figures ---------------------------------------------------------------------------------

# The answer scale of each mean metric: its interval is the adjusted one for bounded scales.
SCALES = {"csat_mean": (1.0, 5.0), "ces": (1.0, 7.0)}


def _clip(low: float, high: float, lo: float, hi: float) -> tuple[float, float, bool]:
    return max(lo, low), min(hi, high), low < lo or high > hi


def nps(promoters: int, passives: int, detractors: int, min_n: int = DEFAULT_MIN_N) -> Figure:
    n = promoters + passives + detractors
    if n == 0:
        return Figure("nps", None, 0)
    p_p, p_d = promoters / n, detractors / n
    value = 100.0 * (p_p - p_d)
    se = 100.0 * math.sqrt(max(0.0, p_p + p_d - (p_p - p_d) ** 2) / n)
    low, high = inference.nps_interval(promoters, passives, detractors)
    low, high, clipped = _clip(100.0 * low, 100.0 * high, -100.0, 100.0)
    return Figure("nps", value, n, low, high, se, n < min_n, clipped=clipped)


def proportion(metric: str, k: int, n: int, min_n: int = DEFAULT_MIN_N) -> Figure:
    """A share in percent with its Wilson interval, continuity-corrected (never past 0 or
    100%: nothing to clip)."""
    if n == 0:
        return Figure(metric, None, 0)
    p = k / n
    low, high = inference.wilson_cc(k, n)
    se = 100.0 * math.sqrt(p * (1 - p) / n)
    return Figure(metric, 100.0 * p, n, 100.0 * low, 100.0 * high, se, n < min_n)


def mean(
    metric: str,
    total: float,
    total_sq: float,
    n: int,
    min_n: int = DEFAULT_MIN_N,
    scale: tuple[float, float] | None = None,
) -> Figure:
    """A mean from its sum and sum of squares, with its 95% interval: the adjusted t interval
    on a bounded answer scale, else Student's t (none from one value or without spread)."""
    if n == 0:
        return Figure(metric, None, 0)
    m = total / n
    variance = max(0.0, (total_sq - n * m * m) / (n - 1)) if n > 1 else 0.0
    se = math.sqrt(variance / n)
    scale = scale or SCALES.get(metric)
    clipped = False
    low: float | None
    high: float | None
    if scale is not None:
        low, high = inference.bounded_mean_interval(total, total_sq, n, *scale)
        low, high, clipped = _clip(low, high, *scale)
    else:
        interval = inference.t_interval(total, total_sq, n)
        low, high = interval if interval else (None, None)
    return Figure(metric, m, n, low, high, se, n < min_n, clipped=clipped)


METRICS = ("nps", "enps", "csat", "csat_mean", "ces", "ces_agree", "responses", "comments")


def figure(metric: str, counts: Counts, min_n: int = DEFAULT_MIN_N) -> Figure:
    """The named metric from a set of counts (eNPS: the caller passes employee counts)."""
    c = counts
    if metric in ("nps", "enps"):
        f = nps(c.promoters, c.passives, c.detractors, min_n)
        return Figure(metric, f.value, f.n, f.low, f.high, f.se, f.low_sample, clipped=f.clipped)
    if metric == "csat":
        return proportion("csat", c.csat_top2, c.csat_n, min_n)
    if metric == "csat_mean":
        return mean("csat_mean", c.csat_sum, c.csat_sq, c.csat_n, min_n)
    if metric == "ces":
        return mean("ces", c.ces_sum, c.ces_sq, c.ces_n, min_n)
    if metric == "ces_agree":
        return proportion("ces_agree", c.ces_agree, c.ces_n, min_n)
    if metric == "responses":
        return Figure("responses", float(c.n), c.n, low_sample=c.n < min_n)
    if metric == "comments":
        return Figure("comments", float(c.comments), c.comments, low_sample=c.n < min_n)
    raise ValueError(f"unknown metric {metric!r}")


def suppress(f: Figure) -> Figure:
    """A figure the anonymity rule hides: no value, interval, se or n (decision 0016). Which
    figures that is, is decided per cycle over the unit tree (analytics.anonymity), never
    by a figure's own n alone: that could be worked out from its parent and siblings."""
    return Figure(f.metric, None, 0, suppressed=True)


# --- changes ---------------------------------------------------------------------------------


def nps_counts_change(a: tuple[int, int, int], b: tuple[int, int, int]) -> Change:
    """NPS of counts a (promoters, passives, detractors) against b: the exact permutation
    test while the smaller side is small, else z on the adjusted estimates."""
    n1, n2 = sum(a), sum(b)
    if not n1 or not n2:
        return no_comparison(NO_DATA)
    delta = 100.0 * ((a[0] - a[2]) / n1 - (b[0] - b[2]) / n2)
    if min(n1, n2) <= inference.EXACT_LIMIT:
        p = inference.nps_exact_p(tuple(a), tuple(b))
        return Change(delta, None, p, p < SIGNIFICANCE, method="exact_permutation")
    z, p = inference.nps_z_p(a, b)
    return Change(delta, z, p, p < SIGNIFICANCE, method="z")


def nps_change(current: Figure, previous: Figure) -> Change:
    """Two NPS figures compared through the counts their value, se and n stand for."""
    if current.value is None or previous.value is None:
        return no_comparison(NO_DATA)
    return nps_counts_change(_nps_counts(current), _nps_counts(previous))


def _nps_counts(f: Figure) -> tuple[int, int, int]:
    n, v, se = f.n, (f.value or 0.0) / 100, (f.se or 0.0) / 100
    diff = round(v * n)  # P − D
    both = round((se * se * n + v * v) * n)  # P + D
    promoters, detractors = (both + diff) // 2, (both - diff) // 2
    return promoters, n - promoters - detractors, detractors


def proportion_change(k1: int, n1: int, k2: int, n2: int) -> Change:
    """Fisher's exact test while a side is small, else the pooled two-proportion z-test;
    delta in percentage points."""
    if n1 == 0 or n2 == 0:
        return no_comparison(NO_DATA)
    delta = 100.0 * (k1 / n1 - k2 / n2)
    if min(n1, n2) <= inference.EXACT_LIMIT:
        p = inference.fisher_p(k1, n1, k2, n2)
        return Change(delta, None, p, p < SIGNIFICANCE, method="fisher_exact")
    z, p = inference.pooled_z(k1, n1, k2, n2)
    return Change(delta, z, p, p < SIGNIFICANCE, method="pooled_z")


def mean_change(current: Figure, previous: Figure) -> Change:
    """Welch's t (Welch–Satterthwaite df) from two means with their se and n; no test from
    a single value on a side or without any spread."""
    if current.value is None or previous.value is None:
        return no_comparison(NO_DATA)
    delta = current.value - previous.value
    t, p = inference.welch(
        current.value, current.se or 0.0, current.n, previous.value, previous.se or 0.0, previous.n
    )
    if p is None:
        return Change(delta, None, None, False, TOO_FEW_TO_TEST)
    return Change(delta, t, p, p < SIGNIFICANCE, method="welch_t")


def bounded_mean_change(metric: str, current: Counts, previous: Counts) -> Change:
    """Welch's t on the adjusted means of a bounded scale (pseudo-answers as the interval)."""
    prefix = "csat" if metric == "csat_mean" else "ces"
    a = tuple(getattr(current, f"{prefix}_{x}") for x in ("sum", "sq", "n"))
    b = tuple(getattr(previous, f"{prefix}_{x}") for x in ("sum", "sq", "n"))
    if not a[2] or not b[2]:
        return no_comparison(NO_DATA)
    delta = a[0] / a[2] - b[0] / b[2]
    t, p = inference.bounded_welch(a, b, *SCALES[metric])
    if p is None:
        return Change(delta, None, None, False, TOO_FEW_TO_TEST)
    return Change(delta, t, p, p < SIGNIFICANCE, method="welch_t")


def change(metric: str, current: Counts, previous: Counts, min_n: int = DEFAULT_MIN_N) -> Change:
    """The test that fits the metric, given the minimum n on both sides (else no comparison,
    with the reason)."""
    now, before = figure(metric, current, min_n), figure(metric, previous, min_n)
    if now.value is None or before.value is None:
        return no_comparison(NO_DATA)
    if metric in ("responses", "comments"):
        if current.n < min_n or previous.n < min_n:
            return no_comparison(LOW_SAMPLE)
        return Change(now.value - before.value, None, None, False)
    if now.low_sample or before.low_sample:
        return no_comparison(LOW_SAMPLE)
    if metric in ("nps", "enps"):
        c = current
        p = previous
        return nps_counts_change(
            (c.promoters, c.passives, c.detractors), (p.promoters, p.passives, p.detractors)
        )
    if metric == "csat":
        return proportion_change(
            current.csat_top2, current.csat_n, previous.csat_top2, previous.csat_n
        )
    if metric == "ces_agree":
        return proportion_change(
            current.ces_agree, current.ces_n, previous.ces_agree, previous.ces_n
        )
    if metric in SCALES:
        return bounded_mean_change(metric, current, previous)
    raise ValueError(f"unknown metric {metric!r}")


# --- distributions of durations --------------------------------------------------------------


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) of the values, interpolating linearly between the two
    nearest ranks (the usual "inclusive" definition: numpy's default, Excel's PERCENTILE)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    below = math.floor(rank)
    above = min(below + 1, len(ordered) - 1)
    return ordered[below] + (ordered[above] - ordered[below]) * (rank - below)
