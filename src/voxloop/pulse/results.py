"""A unit's pulse results, wave by wave, behind the anonymity blocks of decision 0016.

Each wave is its own cycle: everyone is asked once and answers once. For each wave the
answers are summed per unit over the programme's tree (respondents, eNPS answers, and each
driver's answers) and `analytics.blocking.hidden_nodes` splits them into blocks of nobody or
at least the programme's floor; a unit shows a wave only when its subtree is a union of
whole blocks. A team under the floor is merged into its parent's figures, and so is a
sibling when needed, so a parent minus its shown teams is never a small group. Only shown
waves are compared (eNPS: exact test while small, drivers: Welch on the bounded scale), each
against the last shown wave that asked the same question. Decision 0042."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from voxloop.analytics import blocking, metrics
from voxloop.pulse import themes as theme_reading
from voxloop.pulse.models import Answer, Kind, Programme, Question, Wave
from voxloop.tenancy.models import PATH_SEGMENT_WIDTH


@dataclass
class DriverResult:
    question: Question
    figure: metrics.Figure
    change: metrics.Change | None = None


@dataclass
class WaveResult:
    wave: Wave
    shown: bool
    enps: metrics.Figure | None = None
    enps_change: metrics.Change | None = None
    drivers: list[DriverResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    themes: list[theme_reading.Theme] = field(default_factory=list)
    themes_read: int = 0  # how many comments the themes were read from (a sample if fewer)

    @property
    def n(self) -> int:
        return self.enps.n if self.enps else 0


def _vector(row: dict, asked: list[int]) -> tuple[int, ...]:
    drivers = row["drivers"] or {}
    return (1, int(row["enps"] is not None), *(int(str(q) in drivers) for q in asked))


def hidden_in_wave(rows: Iterable[dict], wave: Wave, programme: Programme) -> tuple[set, dict]:
    """The hidden nodes of one wave, and every node's subtree total (nodes with answers and
    their ancestors up to the programme's unit)."""
    asked = [int(q) for q in wave.question_ids]
    totals: dict[str, list[int]] = {}
    top = len(programme.unit_path)
    for row in rows:
        vector = _vector(row, asked)
        path = row["unit_path"]
        for end in range(len(path), top - 1, -PATH_SEGMENT_WIDTH):
            node = totals.setdefault(path[:end], [0] * len(vector))
            for i, v in enumerate(vector):
                node[i] += v
    if not totals:
        return set(), totals
    return blocking.hidden_nodes(totals, programme.floor, PATH_SEGMENT_WIDTH), totals


def _driver_counts(rows: list[dict], qid: int) -> metrics.Counts:
    c = metrics.Counts()
    for row in rows:
        score = (row["drivers"] or {}).get(str(qid))
        if score is not None:
            c.csat_n += 1
            c.csat_sum += score
            c.csat_sq += score * score
    return c


def _enps_counts(rows: list[dict]) -> metrics.Counts:
    c = metrics.Counts()
    for row in rows:
        if row["enps"] is not None:
            c.add(metrics.Counts.of_scores(row["enps"], None, None, False))
    return c


def unit_results(
    programme: Programme, unit_path: str, *, comments: bool, with_themes: bool = False
) -> list[WaveResult]:
    """Every wave of the programme for one unit's subtree, oldest first; with comments (and
    their themes, for the latest shown waves, when asked) only where a wave is shown."""
    waves = list(programme.waves.order_by("number"))
    questions = {q.pk: q for q in programme.questions.all()}
    rows_by_wave: dict[int, list[dict]] = defaultdict(list)
    fields = ("wave_id", "unit_path", "enps", "drivers", "comment")
    for row in Answer.objects.filter(wave__programme=programme).values(*fields):
        rows_by_wave[row["wave_id"]].append(row)
    out: list[WaveResult] = []
    last_enps: metrics.Counts | None = None
    last_driver: dict[int, metrics.Counts] = {}
    for wave in waves:
        rows = rows_by_wave.get(wave.pk, [])
        hidden, totals = hidden_in_wave(rows, wave, programme)
        if unit_path not in totals or unit_path in hidden:
            out.append(WaveResult(wave, shown=False))
            continue
        mine = [r for r in rows if r["unit_path"].startswith(unit_path)]
        enps = _enps_counts(mine)
        result = WaveResult(wave, shown=True, enps=metrics.figure("enps", enps))
        if last_enps is not None:
            result.enps_change = metrics.change("enps", enps, last_enps)
        last_enps = enps
        for qid in wave.question_ids:
            question = questions.get(int(qid))
            if question is None or question.kind != Kind.DRIVER:
                continue
            counts = _driver_counts(mine, question.pk)
            before = last_driver.get(question.pk)
            figure = metrics.figure("csat_mean", counts)
            change = metrics.change("csat_mean", counts, before) if before else None
            result.drivers.append(DriverResult(question, figure, change))
            last_driver[question.pk] = counts
        if comments:
            # Sorted by text: the order answers came in says nothing here.
            result.comments = sorted(r["comment"] for r in mine if r["comment"])
        out.append(result)
    if comments and with_themes:
        shown = [r for r in out if r.shown and r.comments]
        for r in shown[-theme_reading.WAVES_READ :]:
            read = theme_reading.sample(r.comments)
            r.themes_read = len(read)
            r.themes = theme_reading.top_themes(
                organization_id=programme.organization_id, unit_path=unit_path, comments=read
            )
    return out


def chart_spec(results: list[WaveResult]) -> dict:
    """The eNPS trend for `analytics/charts.js` (its "trend" spec): shown waves only."""
    shown = [r for r in results if r.shown and r.enps and r.enps.value is not None]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "kind": "trend",
        "name": _("eNPS"),
        "band": _("Interval (95%)"),
        "x": [f"#{r.wave.number} {r.wave.opened_at:%Y-%m-%d}" for r in shown],
        "value": [rounded(r.enps.value) for r in shown if r.enps],
        "low": [rounded(r.enps.low) for r in shown if r.enps],
        "high": [rounded(r.enps.high) for r in shown if r.enps],
        "n": [r.n for r in shown],
        "hollow": [bool(r.enps and r.enps.low_sample) for r in shown],
        "marks": [],
        "axis": {"min": -100, "max": 100},
    }
