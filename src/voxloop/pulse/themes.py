"""The themes of a shown wave's comments, read by the organisation's text analytics (the
taxonomy above the programme's unit), so that a manager sees what their team talks about
without reading every comment. Only ever asked for a wave at or above the floor: the
comments it reads are the ones the page already shows. Nothing is stored. Decision 0042."""

from __future__ import annotations

from dataclasses import dataclass

from voxloop.textanalytics.services import analyse_texts

TOP = 5
# Reading comments costs time on every page view: the latest waves are the ones read.
WAVES_READ = 6
COMMENTS_READ = 500


@dataclass
class Theme:
    name: str
    count: int
    positive: int = 0
    negative: int = 0


def top_themes(*, organization_id: int, unit_path: str, comments: list[str]) -> list[Theme]:
    """The most talked-about themes (each comment counts once per theme), with how many of
    those comments spoke of it positively and negatively; empty without a taxonomy."""
    if not comments:
        return []
    found = analyse_texts(
        organization_id=organization_id,
        items=[(unit_path, text, "") for text in comments[:COMMENTS_READ]],
    )
    themes: dict[str, Theme] = {}
    for analysis in found:
        seen = set()
        for hit in analysis["themes"]:
            if hit["key"] in seen:
                continue
            seen.add(hit["key"])
            theme = themes.setdefault(hit["key"], Theme(str(hit["name"]), 0))
            theme.count += 1
            if hit["sentiment"] == "positive":
                theme.positive += 1
            elif hit["sentiment"] == "negative":
                theme.negative += 1
    ranked = sorted(themes.values(), key=lambda t: (-t.count, t.name))
    return ranked[:TOP]
