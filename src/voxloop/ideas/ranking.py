"""The rank of an idea: votes counted per day, a day's votes past a burst allowance counted
by their square root, and each day weighed by its age (half-life). Decision 0040.

    score(t) = Σ_days f(c_d) · 2^(−age_d / H),   f(c) = c            if c ≤ B
                                                 f(c) = B + √(c − B)  otherwise

- **Age.** A day's votes lose half their weight every H days (default 30): a board shows what
  people want now, and an old idea with many votes long ago yields to one rising today.
- **Sample and bursts.** One person votes once (the unique voter key), but one person can own
  many addresses or send colleagues a link. Steady support over many days is harder to fake
  than many votes in one day, so a day counts in full up to B votes (default 10; above the
  daily votes of nearly every genuine idea) and by the square root past it: 300 votes in a
  day count 10 + √290 ≈ 27, the same 300 spread over a month count in full.
- **Stored without decay.** Every day decays by the same factor, so the order never changes
  with time alone. The stored score is the sum weighed against a fixed epoch
  (2^(+days since epoch / H)), which keeps the order and needs no nightly re-scoring;
  `current` turns it back into today's figure for display.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from datetime import date

from django.conf import settings

EPOCH = date(2020, 1, 1)


def half_life_days() -> float:
    return float(getattr(settings, "IDEAS_HALF_LIFE_DAYS", 30))


def burst_allowance() -> int:
    return int(getattr(settings, "IDEAS_BURST_PER_DAY", 10))


def damped(count: int, allowance: int) -> float:
    if count <= allowance:
        return float(count)
    return allowance + math.sqrt(count - allowance)


def stored_score(vote_days: Iterable[date], *, half_life: float, allowance: int) -> float:
    """The score against the epoch, from the days the idea's votes were cast on."""
    per_day = Counter(vote_days)
    return sum(
        damped(count, allowance) * 2 ** ((day - EPOCH).days / half_life)
        for day, count in per_day.items()
    )


def current(stored: float, today: date, *, half_life: float) -> float:
    """Today's figure of a stored score (for display)."""
    return stored * 2 ** (-(today - EPOCH).days / half_life)


def score_of(vote_days: Iterable[date]) -> float:
    return stored_score(vote_days, half_life=half_life_days(), allowance=burst_allowance())
