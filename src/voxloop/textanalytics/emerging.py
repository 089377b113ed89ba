"""Emerging themes: groups of recent comments that no theme of the taxonomy matched, with a
suggested name in each language the group was written in.

Groups come from the comments' embeddings (multilingual-e5-small, computed in the
background): each language's mean vector is subtracted first, so a comment sits near what it
is *about* rather than near its own language, and a group then holds the same complaint in
English, Chinese, Japanese and Romanian — no translation involved. Average-linkage merging
stops when the groups' mean likeness falls under LIKENESS. Comments not embedded yet are
grouped by a shared keyword instead (one language per group).

Names are the keywords (the engine's own, per language) most members share; a keyword of a
single comment never names a group, so a name is never one person's words."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet

from voxloop.textanalytics.embeddings import from_bytes
from voxloop.textanalytics.engine.keywords import stopwords
from voxloop.textanalytics.models import CommentAnalysis

LIKENESS = 0.15  # mean cosine after centring; measured on parallel comments in four languages
MIN_GROUP = 3
SAMPLE = 600  # the newest unmatched comments looked at (merging is quadratic)
CENTRE_MIN = 5  # weight of the overall mean in each language's mean
NAMES_PER_LANGUAGE = 3


@dataclass
class Item:
    analysis_id: int
    language: str
    keywords: list[str]
    vector: np.ndarray | None = None


@dataclass
class Group:
    members: list[Item]
    by: str  # "embedding" | "keyword"
    names: dict[str, list[str]] = field(default_factory=dict)

    @property
    def languages(self) -> list[str]:
        counts = Counter(item.language for item in self.members)
        return [language for language, _ in counts.most_common()]

    def name(self, language: str) -> str:
        """The suggested name in the reader's language, else in the group's main one."""
        base = language.lower()
        for candidate in (base, *self.languages):
            if self.names.get(candidate):
                return self.names[candidate][0]
        return ""


def centred(items: list[Item]) -> np.ndarray:
    """Unit vectors minus their language's mean; a language with few comments has its mean
    drawn toward the overall one (weight CENTRE_MIN), so three comments are not centred on
    themselves."""
    x = np.stack([item.vector for item in items if item.vector is not None]).astype(np.float32)
    overall = x.mean(axis=0)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_language[item.language].append(i)
    out = x.copy()
    for rows in by_language.values():
        own = x[rows].sum(axis=0)
        out[rows] -= (own + CENTRE_MIN * overall) / (len(rows) + CENTRE_MIN)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def merge(similarity: np.ndarray, likeness: float = LIKENESS) -> list[list[int]]:
    """Average-linkage agglomerative grouping of a cosine matrix (Lance–Williams update)."""
    s = similarity.astype(np.float64).copy()
    np.fill_diagonal(s, -np.inf)
    size = np.ones(len(s))
    members = [[i] for i in range(len(s))]
    while len(s):
        i, j = np.unravel_index(int(np.argmax(s)), s.shape)
        if s[i, j] < likeness:
            break
        joined = (size[i] * s[i] + size[j] * s[j]) / (size[i] + size[j])
        s[i], s[:, i] = joined, joined
        s[i, i] = -np.inf
        s[j], s[:, j] = -np.inf, -np.inf
        size[i] += size[j]
        members[i] += members[j]
        members[j] = []
    return [m for m in members if m]


def _by_keyword(items: list[Item]) -> list[list[Item]]:
    groups, left = [], list(items)
    while True:
        counts = Counter((i.language, k) for i in left for k in set(i.keywords[:5]))
        if not counts:
            break
        (language, keyword), n = counts.most_common(1)[0]
        if n < MIN_GROUP:
            break
        chosen = [i for i in left if i.language == language and keyword in i.keywords[:5]]
        groups.append(chosen)
        left = [i for i in left if i not in chosen]
    return groups


def _terms(keywords: list[str], language: str) -> dict[str, int]:
    """A comment's keywords and, for phrases, their words ("loud music" → "music"), each with
    its rank (the extractor lists the most telling first)."""
    out: dict[str, int] = {}
    stop = stopwords(language) if language in ("en", "ro") else frozenset()
    for rank, keyword in enumerate(keywords[:8]):
        out.setdefault(keyword, rank)
        if " " in keyword:
            for word in keyword.split():
                if len(word) > 2 and word.lower() not in stop:
                    out.setdefault(word, rank)
    return out


def _names(members: list[Item]) -> dict[str, list[str]]:
    """Per language, the terms most members share (at least two), the better ranked first."""
    counts: dict[str, Counter] = defaultdict(Counter)
    ranks: dict[str, Counter] = defaultdict(Counter)
    for item in members:
        for term, rank in _terms(item.keywords, item.language).items():
            counts[item.language][term] += 1
            ranks[item.language][term] += rank
    out = {}
    for language, counted in counts.items():
        shared = [t for t, n in counted.items() if n >= 2]
        shared.sort(key=lambda t: (-counted[t], ranks[language][t] / counted[t], -len(t), t))
        out[language] = shared[:NAMES_PER_LANGUAGE]
    return out


def groups_of(items: list[Item]) -> list[Group]:
    """Groups of at least MIN_GROUP comments, biggest first."""
    embedded = [i for i in items if i.vector is not None]
    found: list[Group] = []
    if len(embedded) >= MIN_GROUP:
        x = centred(embedded)
        for rows in merge(x @ x.T):
            if len(rows) >= MIN_GROUP:
                found.append(Group([embedded[r] for r in rows], "embedding"))
    rest = [i for i in items if i.vector is None]
    found += [Group(members, "keyword") for members in _by_keyword(rest)]
    for group in found:
        group.names = _names(group.members)
    found = [g for g in found if any(g.names.values())]
    found.sort(key=lambda g: -len(g.members))
    return found


def unmatched(analyses: QuerySet[CommentAnalysis], sample: int = SAMPLE) -> list[Item]:
    """The newest of these analyses (a queryset) in which no theme was found."""
    rows = (
        analyses.filter(themes__isnull=True)
        .order_by("-response_id")
        .values_list("pk", "language", "keywords", "embedding__vector")[:sample]
    )
    return [
        Item(pk, language, list(keywords or []), from_bytes(bytes(vector)) if vector else None)
        for pk, language, keywords, vector in rows
    ]
