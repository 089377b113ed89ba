"""The metric engine's arithmetic: pure functions from counts to figures with their statistics.

Everything here works on counts and sums (what the rollups hold), never on rows, so the same
function serves a store's day and the whole company's year. Definitions follow DESIGN.md:

- NPS = 100·(P−D)/n over 0–10 answers; se = 100·√((p_P + p_D − (p_P − p_D)²)/n).
- CSAT = % of 4–5 on the 1–5 scale (top-2 box) with a Wilson interval, plus the mean.
- CES = mean of 1–7 "made it easy", plus % agree (5–7) with a Wilson interval.
- eNPS is NPS computed over employee surveys only.

Normal approximations throughout (a figure under the minimum n is flagged "low sample" rather
than trusted), two-sided tests at 95%.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from typing import Any

Z95 = 1.959963984540054  # the two-sided 95% quantile of the standard normal
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
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + sign * getattr(other, f.name))
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

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Change:
    """Period over period: the difference, its z statistic and two-sided p-value."""

    delta: float | None
    z: float | None
    p_value: float | None
    significant: bool

    def as_dict(self) -> dict[str, Any]:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in asdict(self).items()}


# --- distributions ---------------------------------------------------------------------------


def normal_two_sided_p(z: float) -> float:
    """P(|Z| ≥ |z|) for a standard normal Z."""
    return math.erfc(abs(z) / math.sqrt(2.0))


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


def nps(promoters: int, passives: int, detractors: int, min_n: int = DEFAULT_MIN_N) -> Figure:
    n = promoters + passives + detractors
    if n == 0:
        return Figure("nps", None, 0)
    p_p, p_d = promoters / n, detractors / n
    value = 100.0 * (p_p - p_d)
    se = 100.0 * math.sqrt(max(0.0, p_p + p_d - (p_p - p_d) ** 2) / n)
    low, high = max(-100.0, value - Z95 * se), min(100.0, value + Z95 * se)
    return Figure("nps", value, n, low, high, se, n < min_n)


def proportion(metric: str, k: int, n: int, min_n: int = DEFAULT_MIN_N) -> Figure:
    """A share in percent with its Wilson interval."""
    if n == 0:
        return Figure(metric, None, 0)
    p = k / n
    low, high = wilson_interval(k, n)
    se = 100.0 * math.sqrt(p * (1 - p) / n)
    return Figure(metric, 100.0 * p, n, 100.0 * low, 100.0 * high, se, n < min_n)


def mean(metric: str, total: float, total_sq: float, n: int, min_n: int = DEFAULT_MIN_N) -> Figure:
    """A mean from its sum and sum of squares, with a normal-approximation interval."""
    if n == 0:
        return Figure(metric, None, 0)
    m = total / n
    variance = max(0.0, (total_sq - n * m * m) / (n - 1)) if n > 1 else 0.0
    se = math.sqrt(variance / n)
    return Figure(metric, m, n, m - Z95 * se, m + Z95 * se, se, n < min_n)


METRICS = ("nps", "enps", "csat", "csat_mean", "ces", "ces_agree", "responses", "comments")


def figure(metric: str, counts: Counts, min_n: int = DEFAULT_MIN_N) -> Figure:
    """The named metric from a set of counts (eNPS: the caller passes employee counts)."""
    c = counts
    if metric in ("nps", "enps"):
        f = nps(c.promoters, c.passives, c.detractors, min_n)
        return Figure(metric, f.value, f.n, f.low, f.high, f.se, f.low_sample)
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


def _change(delta: float, se: float) -> Change:
    if se <= 0:
        # No spread in either period: a difference is certain, none is no change at all.
        return Change(delta, None, 0.0 if delta else 1.0, bool(delta))
    z = delta / se
    p = normal_two_sided_p(z)
    return Change(delta, z, p, p < SIGNIFICANCE)


def nps_change(current: Figure, previous: Figure) -> Change:
    """z = ΔNPS / √(se₁² + se₂²) (DESIGN.md)."""
    if current.value is None or previous.value is None:
        return Change(None, None, None, False)
    return _change(current.value - previous.value, math.hypot(current.se or 0, previous.se or 0))


def proportion_change(k1: int, n1: int, k2: int, n2: int) -> Change:
    """Two-proportion z-test with the pooled proportion; delta in percentage points."""
    if n1 == 0 or n2 == 0:
        return Change(None, None, None, False)
    pooled = (k1 + k2) / (n1 + n2)
    se = 100.0 * math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return _change(100.0 * (k1 / n1 - k2 / n2), se)


def mean_change(current: Figure, previous: Figure) -> Change:
    """Welch's z: difference of means over √(se₁² + se₂²)."""
    if current.value is None or previous.value is None:
        return Change(None, None, None, False)
    return _change(current.value - previous.value, math.hypot(current.se or 0, previous.se or 0))


def change(metric: str, current: Counts, previous: Counts, min_n: int = DEFAULT_MIN_N) -> Change:
    """The significance test that fits the metric."""
    if metric in ("nps", "enps"):
        return nps_change(figure(metric, current, min_n), figure(metric, previous, min_n))
    if metric == "csat":
        return proportion_change(
            current.csat_top2, current.csat_n, previous.csat_top2, previous.csat_n
        )
    if metric == "ces_agree":
        return proportion_change(
            current.ces_agree, current.ces_n, previous.ces_agree, previous.ces_n
        )
    if metric in ("csat_mean", "ces"):
        return mean_change(figure(metric, current, min_n), figure(metric, previous, min_n))
    a, b = figure(metric, current, min_n).value, figure(metric, previous, min_n).value
    delta = None if a is None or b is None else a - b
    return Change(delta, None, None, False)


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
