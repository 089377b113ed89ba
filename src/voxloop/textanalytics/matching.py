"""Taxonomies compiled for the engine: from the database (cached per taxonomy version) or
from the built-in defaults (for `voxloop text analyze` without an organisation)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

from voxloop.textanalytics.default_taxonomies import DEFAULTS
from voxloop.textanalytics.engine.themes import ThemeMatcher, ThemeSpec

if TYPE_CHECKING:  # the models need Django; analysing a file without an organisation does not
    from voxloop.textanalytics.models import Taxonomy, Theme

KEPT = 64
_compiled: OrderedDict[tuple[int, int], ThemeMatcher] = OrderedDict()
_lock = threading.Lock()


def taxonomy_version(taxonomy: Taxonomy) -> str:
    return f"{taxonomy.pk}:{taxonomy.version}"


def specs_from_rows(themes: Sequence[Theme]) -> list[ThemeSpec]:
    """ThemeSpecs from Theme rows whose terms are prefetched."""
    by_id = {theme.pk: theme for theme in themes}
    specs = []
    for theme in themes:
        names: dict[str, str] = {}
        keywords: dict[str, list[str]] = {}
        examples: dict[str, list[str]] = {}
        for term in theme.terms.all():
            if term.kind == "label":
                names[term.language] = term.text
            elif term.kind == "keyword":
                keywords.setdefault(term.language, []).append(term.text)
            else:
                examples.setdefault(term.language, []).append(term.text)
        parent = by_id.get(theme.parent_id) if theme.parent_id is not None else None
        specs.append(
            ThemeSpec(
                key=theme.key,
                name=theme.name,
                parent=parent.key if parent else "",
                names=names,
                keywords={k: tuple(v) for k, v in keywords.items()},
                examples={k: tuple(v) for k, v in examples.items()},
            )
        )
    return specs


def matcher_for(taxonomy: Taxonomy | None) -> ThemeMatcher | None:
    if taxonomy is None:
        return None
    key = (taxonomy.pk, taxonomy.version)
    with _lock:
        found = _compiled.get(key)
        if found is not None:
            _compiled.move_to_end(key)
            return found
    from voxloop.textanalytics.selectors import themes_with_terms

    matcher = ThemeMatcher(
        specs_from_rows(themes_with_terms([taxonomy.pk])), taxonomy_version(taxonomy)
    )
    with _lock:
        _compiled[key] = matcher
        while len(_compiled) > KEPT:
            _compiled.popitem(last=False)
    return matcher


def default_specs(kind: str) -> list[ThemeSpec]:
    _, rows = DEFAULTS[kind]
    return [
        ThemeSpec(key=key, name=names["en"], parent=parent, names=names, keywords=kw, examples=ex)
        for key, parent, names, kw, ex in rows
    ]


@cache
def default_matcher() -> ThemeMatcher:
    """Both default taxonomies in one, for analysing files outside any organisation."""
    return ThemeMatcher(default_specs("retail") + default_specs("b2b"), "default:1")
