"""Scores a response carries, computed once at capture (definitions in DESIGN.md)."""

from collections.abc import Iterable, Mapping
from typing import Any

from voxloop.responses.models import NpsGroup


def nps_group(score: int) -> str:
    if score >= 9:
        return NpsGroup.PROMOTER
    if score >= 7:
        return NpsGroup.PASSIVE
    return NpsGroup.DETRACTOR


def headline_scores(questions: Iterable, answers: Mapping[str, Any]) -> dict[str, Any]:
    """NPS (and group), CSAT and CES from the first question of each kind that was answered."""
    scores: dict[str, Any] = {"nps": None, "nps_group": None, "csat": None, "ces": None}
    for question in questions:
        kind = question.type
        if kind in ("nps", "csat", "ces") and scores[kind] is None:
            value = answers.get(question.key)
            if isinstance(value, int):
                scores[kind] = value
    if scores["nps"] is not None:
        scores["nps_group"] = nps_group(scores["nps"])
    return scores
