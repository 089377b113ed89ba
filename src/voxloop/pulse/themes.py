"""The themes of a shown wave's comments, read by the organisation's text analytics (the
taxonomy above the programme's unit), so that a manager sees what their team talks about
without reading every comment. Only ever asked for a wave at or above the floor: the
comments it reads are the ones the page already shows. Nothing is stored in the database; the
result is kept in the cache for a few hours, keyed by the very comments read and the
taxonomy's version, so a page seen again is not read again (a new answer or a taxonomy edit
makes a new key). Decision 0042."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache

from voxloop.textanalytics.selectors import taxonomy_for_unit_path
from voxloop.textanalytics.services import analyse_texts

TOP = 5
# Reading a comment costs a few milliseconds (more with an external engine): the latest
# shown waves are read, and a large wave through an even sample of its comments.
WAVES_READ = 3
COMMENTS_READ = 200
CACHE_SECONDS = 6 * 3600


@dataclass
class Theme:
    name: str
    count: int
    positive: int = 0
    negative: int = 0


def sample(comments: list[str]) -> list[str]:
    """Every comment, or an even spread of `COMMENTS_READ` of them (they come sorted by text,
    so the first ones would not stand for the rest)."""
    if len(comments) <= COMMENTS_READ:
        return comments
    step = len(comments) / COMMENTS_READ
    return [comments[int(i * step)] for i in range(COMMENTS_READ)]


def _key(kind: str, organization_id: int, unit_path: str, texts: list[str]) -> str:
    """Keyed by the texts read and the taxonomy that reads them (its version moves on every
    edit), so a new or edited taxonomy is read at once rather than after the cache expires."""
    taxonomy = taxonomy_for_unit_path(organization_id, unit_path)
    reader = f"{taxonomy.pk}.{taxonomy.version}" if taxonomy else "none"
    parts = [str(organization_id), unit_path, reader, *texts]
    return f"pulse:{kind}:{hashlib.sha256(chr(31).join(parts).encode()).hexdigest()}"


def top_themes(*, organization_id: int, unit_path: str, comments: list[str]) -> list[Theme]:
    """The most talked-about themes of the comments read (each comment counts once per theme),
    with how many of them spoke of it positively and negatively; empty without a taxonomy."""
    if not comments:
        return []
    key = _key("themes", organization_id, unit_path, comments)
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    ranked = _read(organization_id, unit_path, comments)
    cache.set(key, ranked, CACHE_SECONDS)
    return ranked


def themes_of_reports(
    *, organization_id: int, unit_path: str, texts: list[str]
) -> tuple[list[Theme], list[list[str]]]:
    """Frontline reports read like customer comments: the most frequent themes of the reports
    listed, and each report's own theme names (in the order given). Reports are shown one by
    one to their managers already, so their themes reveal nothing more."""
    if not texts:
        return [], []
    key = _key("report-themes", organization_id, unit_path, texts)
    cached = cache.get(key)
    if cached is not None:
        return cached
    found = _analyses(organization_id, unit_path, texts)
    each = [list(dict.fromkeys(str(hit["name"]) for hit in a["themes"])) for a in found]
    result = (_ranked(found), each)
    cache.set(key, result, CACHE_SECONDS)
    return result


def _analyses(organization_id: int, unit_path: str, texts: list[str]) -> list[dict]:
    return list(
        analyse_texts(
            organization_id=organization_id, items=[(unit_path, text, "") for text in texts]
        )
    )


def _read(organization_id: int, unit_path: str, comments: list[str]) -> list[Theme]:
    return _ranked(_analyses(organization_id, unit_path, comments))


def _ranked(found: list[dict]) -> list[Theme]:
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
