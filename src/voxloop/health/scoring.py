"""Turning measured signals into a 0–100 health score (pure: no database).

Each signal's raw value maps to 0–100 points by its curve (linear between the `bad` and the
`good` value, clamped) or by thresholds (0 at or beyond `bad`, 100 at or beyond `good`, 50
between). The score is the weighted average of the signals that were measured: a signal
without data is *missing*, left out of the average and shown as missing, never counted as 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

CURVE = "curve"
STEPS = "steps"
RED, AMBER, GREEN = "red", "amber", "green"
BAND_ORDER = {RED: 0, AMBER: 1, GREEN: 2}


@dataclass(frozen=True)
class Rule:
    """How one signal counts: the key names it in the parts ("nps", "interactions:login")."""

    key: str
    weight: float
    mapping: str
    bad: float
    good: float


class Part(TypedDict):
    key: str
    value: float | None
    points: float | None
    weight: float


class Move(TypedDict):
    key: str
    before: float | None
    after: float | None
    effect: float  # score points this signal moved the score by (sign included)


def points(rule: Rule, value: float | None) -> float | None:
    """The value on the 0–100 scale, or None when the signal was not measured."""
    if value is None:
        return None
    if rule.bad == rule.good:
        return 100.0 if value == rule.good else 0.0
    # Position from bad (0) to good (1), whichever way round the two are.
    position = (value - rule.bad) / (rule.good - rule.bad)
    if rule.mapping == STEPS:
        if position >= 1:
            return 100.0
        return 0.0 if position <= 0 else 50.0
    return round(100.0 * min(1.0, max(0.0, position)), 1)


def score(rules: list[Rule], values: dict[str, float | None]) -> tuple[float | None, list[Part]]:
    """The weighted average over measured signals (None when none was) and each part."""
    parts: list[Part] = []
    total = weights = 0.0
    for rule in rules:
        value = values.get(rule.key)
        got = points(rule, value)
        parts.append(Part(key=rule.key, value=value, points=got, weight=rule.weight))
        if got is not None and rule.weight > 0:
            total += rule.weight * got
            weights += rule.weight
    return (round(total / weights, 1) if weights else None), parts


def band(value: float | None, red_below: float, amber_below: float) -> str:
    """Red below `red_below`, amber below `amber_below`, green otherwise ("" without a score)."""
    if value is None:
        return ""
    if value < red_below:
        return RED
    return AMBER if value < amber_below else GREEN


def dropped_across(before: str, after: str) -> bool:
    """True when the band fell (green → amber, amber → red, green → red)."""
    return bool(before and after) and BAND_ORDER[after] < BAND_ORDER[before]


def explain(before: list[Part], after: list[Part]) -> list[Move]:
    """Which signals moved the score and by how much, largest effect first.

    A signal's effect is its share of the new score minus its share of the old one (points ×
    weight ÷ the weights measured each time); the effects add up to the score's change. A
    signal that appeared or went missing moves the score through the re-weighting, which is
    its effect too."""
    old = {p["key"]: p for p in before}
    new = {p["key"]: p for p in after}
    old_weight = sum(p["weight"] for p in before if p["points"] is not None) or 1.0
    new_weight = sum(p["weight"] for p in after if p["points"] is not None) or 1.0
    moves: list[Move] = []
    for key in dict.fromkeys([*new, *old]):
        a, b = old.get(key), new.get(key)
        share_a = a["points"] * a["weight"] / old_weight if a and a["points"] is not None else 0.0
        share_b = b["points"] * b["weight"] / new_weight if b and b["points"] is not None else 0.0
        effect = round(share_b - share_a, 1)
        if effect:
            moves.append(
                Move(
                    key=key,
                    before=a["points"] if a else None,
                    after=b["points"] if b else None,
                    effect=effect,
                )
            )
    return sorted(moves, key=lambda m: -abs(m["effect"]))
