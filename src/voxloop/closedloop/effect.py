"""Did it work? NPS before and after an action plan started, each with its 95% interval.

A small self-contained statistics function for the closed loop, as DESIGN.md defines them:
se = √((p_P + p_D − (p_P − p_D)²) / n), change z = ΔNPS / √(se₁² + se₂²), two-sided p-value.
(The analytics engine grows a general one; the two are to be unified.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054
LOW_SAMPLE = 30


@dataclass(frozen=True)
class NpsEstimate:
    n: int
    nps: float | None
    low: float | None
    high: float | None
    se: float | None

    @property
    def low_sample(self) -> bool:
        return self.n < LOW_SAMPLE


@dataclass(frozen=True)
class NpsChange:
    before: NpsEstimate
    after: NpsEstimate
    delta: float | None
    z: float | None
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05


def nps_estimate(promoters: int, passives: int, detractors: int) -> NpsEstimate:
    n = promoters + passives + detractors
    if n == 0:
        return NpsEstimate(0, None, None, None, None)
    p_p, p_d = promoters / n, detractors / n
    nps = 100 * (p_p - p_d)
    se = 100 * math.sqrt(max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n)
    return NpsEstimate(n, nps, max(nps - Z95 * se, -100.0), min(nps + Z95 * se, 100.0), se)


def nps_change(before: NpsEstimate, after: NpsEstimate) -> NpsChange:
    if before.nps is None or after.nps is None:
        return NpsChange(before, after, None, None, None)
    delta = after.nps - before.nps
    spread = math.sqrt(before.se**2 + after.se**2)
    if spread == 0:
        return NpsChange(before, after, delta, None, None)
    z = delta / spread
    return NpsChange(before, after, delta, z, math.erfc(abs(z) / math.sqrt(2)))
