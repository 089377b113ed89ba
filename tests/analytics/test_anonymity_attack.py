"""An attacker against an anonymous survey through the real API and exports.

A seeded employee pulse and onboarding survey over four closed months, answered at every
level of Acme's tree in mostly small groups. Every figure a reader gets back — totals,
drill-down (children, parent, siblings), breakdowns by survey, month and quarter, trend
points, KPI cards, whole months of single answers in the export — is turned into what it says
(the atoms it sums, and n, promoters and detractors solved from value, se and n), and the
attacker in `attacker.py` tries to pin any group of fewer than five people. It must fail:
first against everything the CX director can read, then with random readers, units, periods
(presets and custom days), breakdowns, metrics and surveys on top (hypothesis).
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analytics.anonymous_world import add_months, closed_months, employee_survey
from tests.analytics.attacker import Shown, counts_of, pinned_groups
from tests.web.matrix_world import ModuleWorld
from voxloop.analytics import services
from voxloop.responses.services import Submission, import_history

FLOOR = 5
READERS = ("admin", "director", "country_admin", "analyst", "regional", "store", "viewer")


class Seeded:
    """The world, its two anonymous surveys and the truth: answers per (unit path, month,
    survey id) as {"n", "P", "D"}."""

    def __init__(self, world) -> None:
        self.world = world
        acme = world.acme
        self.units = {u.pk: u for u in acme.units.values()}
        self.path_of = {u.pk: u.path for u in self.units.values()}
        self.pulse = employee_survey(acme, "Pulse")
        self.onboarding = employee_survey(acme, "Onboarding")
        self.months = closed_months(4)
        self.truth: dict[tuple, dict[str, int]] = {}
        rng = random.Random(14)
        sizes = {self.pulse: [0, 0, 1, 1, 2, 3, 4, 5, 6, 8], self.onboarding: [0, 0, 0, 1, 2, 6]}
        for survey, choices in sizes.items():
            answers = []
            for month in self.months:
                for unit in acme.units.values():
                    for _ in range(rng.choice(choices)):
                        answers.append(self._answer(survey, unit, month, rng))
            # This month is still open: its answers are never shown.
            answers += [self._answer(survey, acme.units["c1r1s1"], None, rng) for _ in range(3)]
            import_history(survey=survey, submissions=answers)
        other = employee_survey(world.other, "Their pulse")
        import_history(
            survey=other,
            submissions=[
                Submission(
                    other,
                    {"enps": 0},
                    unit=world.other.units["c1r1s1"],
                    submitted_at=self._moment(self.months[0], rng),
                    allow_closed=True,
                )
                for _ in range(2)
            ],
        )
        for org in (acme, world.other):
            services.rebuild(organization_id=org.root.organization_id)

    def _moment(self, month: date | None, rng) -> datetime:
        day = month.replace(day=rng.randint(1, 27)) if month else timezone.localdate()
        return datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())

    def _answer(self, survey, unit, month, rng) -> Submission:
        score = rng.choice([0, 3, 5, 6, 7, 8, 9, 9, 10, 10])
        if month is not None:
            cell = self.truth.setdefault((unit.path, month, survey.pk), {"n": 0, "P": 0, "D": 0})
            cell["n"] += 1
            cell["P"] += score >= 9
            cell["D"] += score <= 6
        moment = self._moment(month, rng)
        if month is None:
            moment = timezone.now() - timedelta(minutes=5)
        return Submission(
            survey, {"enps": score}, unit=unit, submitted_at=moment, allow_closed=True
        )

    # --- what a figure stands for ------------------------------------------------------

    def atoms(self, unit_id: int, months, survey_ids) -> frozenset:
        root = self.path_of[unit_id]
        return frozenset(
            (path, month, survey)
            for path in self.path_of.values()
            if path.startswith(root)
            for month in months
            for survey in survey_ids
        )

    def groups(self) -> dict[str, frozenset]:
        surveys = (self.pulse.pk, self.onboarding.pk)
        out = {}
        for unit_id, path in self.path_of.items():
            for survey in surveys:
                for month in self.months:
                    out[f"{path} {month} {survey}"] = self.atoms(unit_id, [month], [survey])
                    out[f"{path} only, {month} {survey}"] = frozenset([(path, month, survey)])
                out[f"{path} all months {survey}"] = self.atoms(unit_id, self.months, [survey])
            for month in self.months:
                out[f"{path} {month} both"] = self.atoms(unit_id, [month], surveys)
        return out


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), ModuleWorld() as world:
        yield Seeded(world)


def months_in(start: str, end: str) -> list[date]:
    first, last = date.fromisoformat(start).replace(day=1), date.fromisoformat(end)
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


def bucket_months(start: str, grain: str, period: list[date]) -> list[date]:
    first = date.fromisoformat(start)
    span = 3 if grain == "quarter" else 1
    return [m for m in period if first <= m < add_months(first, span)]


class Reader:
    """Reads as one member through the real URLs and notes every figure it is shown."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded = seeded
        self.shown: list[Shown] = []
        self.clients: dict[str, Client] = {}

    def client(self, actor: str) -> Client:
        if actor not in self.clients:
            self.clients[actor] = Client()
            self.clients[actor].force_login(self.seeded.world.acme.user(actor))
        return self.clients[actor]

    def note(self, figure: dict, atoms: frozenset) -> None:
        if figure["suppressed"] or figure["value"] is None:
            assert figure["se"] is None and figure["low"] is None
            return
        assert figure["n"] >= FLOOR, figure  # a shown figure is never a small group itself
        counts = {"n": figure["n"]} if figure["metric"] == "responses" else counts_of(figure)
        self.shown.append(Shown(atoms, counts))

    def surveys(self, query: dict) -> tuple[int, ...]:
        if query.get("survey"):
            return (int(query["survey"]),)
        return (self.seeded.pulse.pk, self.seeded.onboarding.pk)

    def metrics(self, actor: str, query: dict) -> None:
        response = self.client(actor).get(reverse("api:analytics_metrics"), query)
        if response.status_code != 200:
            assert response.status_code in (400, 404), response.content
            return
        body = response.json()
        surveys = self.surveys(query)
        period = months_in(body["filters"]["start"], body["filters"]["end"])
        assert period[-1] < timezone.localdate().replace(day=1)  # closed months only
        node = body["unit_id"]
        self.note(body["total"], self.seeded.atoms(node, period, surveys))
        by = query.get("by", "")
        for row in body.get("rows", []):
            if by == "unit":
                atoms = self.seeded.atoms(row["key"], period, surveys)
            elif by == "survey":
                atoms = self.seeded.atoms(node, period, [row["key"]])
            else:
                atoms = self.seeded.atoms(node, bucket_months(row["key"], by, period), surveys)
            self.note(row, atoms)

    def dashboard(self, actor: str, query: dict) -> None:
        response = self.client(actor).get(reverse("api:analytics_dashboard"), query)
        if response.status_code != 200:
            assert response.status_code in (400, 404), response.content
            return
        data = response.json()
        # No comment of an anonymous survey is listed: [] (or None for a viewer, who reads
        # no single comment of any survey).
        assert data["anonymous"] and data["heatmap"] is None and not data["verbatims"]
        assert data["staff"] == {"ranked": [], "too_few": []}
        assert set(data["breakdowns"]) == {"survey"}
        surveys = self.surveys(query)
        period = months_in(data["filters"]["start"], data["filters"]["end"])
        at = lambda unit_id, months=period, s=surveys: self.seeded.atoms(unit_id, months, s)  # noqa: E731
        for card in data["kpis"]:
            self.note(card["figure"], at(data["unit"]["unit_id"]))
        units = data["units"]
        for row in [units["unit"], *units["children"], *units["siblings"]]:
            self.note(row, at(row["unit_id"]))
        if units["parent"]:
            self.note(units["parent"], at(units["parent"]["unit_id"]))
        for point in data["trend"]:
            months = bucket_months(point["start"], data["filters"]["grain"], period)
            self.note(point, at(data["unit"]["unit_id"], months))
        for row in data["breakdowns"]["survey"]:
            self.note(row, at(data["unit"]["unit_id"], period, [row["key"]]))

    def answers(self, actor: str, query: dict) -> None:
        """The export of single answers: whole released months of the reader's whole scope."""
        response = self.client(actor).get(
            reverse("analytics:export_responses", args=["csv"]), query
        )
        if response.status_code != 200:
            assert response.status_code in (400, 403, 404), response.status_code
            return
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text)))
        names = {
            self.seeded.pulse.name: self.seeded.pulse.pk,
            self.seeded.onboarding.name: self.seeded.onboarding.pk,
        }
        cells: dict[tuple, dict[str, int]] = {}
        for row in rows:
            assert row["id"] == "" and row["unit"] == "" and row["locale"] == ""
            month = date.fromisoformat(row["submitted_at"] + "-01")
            cell = cells.setdefault((names[row["survey"]], month), {"n": 0, "P": 0, "D": 0})
            score = int(row["nps"])
            cell["n"] += 1
            cell["P"] += score >= 9
            cell["D"] += score <= 6
        root = self.seeded.world.acme.members[actor].unit_id
        for (survey, month), counts in cells.items():
            assert counts["n"] >= FLOOR
            self.shown.append(Shown(self.seeded.atoms(root, [month], [survey]), counts))

    def attack(self) -> list[str]:
        return pinned_groups(self.shown, self.seeded.truth, self.seeded.groups(), FLOOR)


def full_range(seeded: Seeded) -> dict:
    return {"start": seeded.months[0].isoformat(), "end": seeded.months[-1].isoformat()}


def survey_choices(seeded: Seeded) -> list[dict]:
    return [{"survey": seeded.pulse.pk}, {"survey": seeded.onboarding.pk}, {"metric": "enps"}]


def directors_reading(seeded: Seeded) -> Reader:
    """Everything the CX director can read: every unit's dashboard by month for each survey
    and both together, and each month's single answers (read once per module)."""
    reader = Reader(seeded)
    if not hasattr(seeded, "directors_figures"):
        for choice in survey_choices(seeded):
            for unit_id in seeded.units:
                query = {**full_range(seeded), **choice, "unit": unit_id, "grain": "month"}
                reader.dashboard("director", query)
            reader.answers("director", {**full_range(seeded), **choice})
        seeded.directors_figures = list(reader.shown)
    reader.shown = list(seeded.directors_figures)
    return reader


def test_nothing_the_director_reads_pins_a_group_under_five(seeded, db):
    reader = directors_reading(seeded)
    assert reader.shown, "the director must see something"
    assert reader.attack() == []


def test_the_attacker_would_pin_groups_if_hidden_figures_were_shown(seeded, db):
    """The attack is real: give it one hidden figure and it solves small groups."""
    reader = directors_reading(seeded)
    groups = seeded.groups()
    hidden = next(
        name
        for name, atoms in groups.items()
        if " only," in name and 0 < sum(seeded.truth.get(a, {}).get("n", 0) for a in atoms) < FLOOR
    )
    atoms = groups[hidden]
    truth = {f: sum(seeded.truth.get(a, {}).get(f, 0) for a in atoms) for f in ("n", "P", "D")}
    reader.shown.append(Shown(atoms, truth))
    assert reader.attack()


queries = st.fixed_dictionaries(
    {
        "actor": st.sampled_from(READERS),
        "kind": st.sampled_from(["metrics", "metrics", "dashboard", "answers"]),
        "unit": st.sampled_from(
            ["", "root", "c1", "c2", "c1r1", "c1r2", "c2r1", "c1r1s1", "c1r1s2", "c2r2s2"]
        ),
        "survey": st.integers(0, 2),
        "period": st.one_of(
            st.sampled_from(["7d", "30d", "90d", "365d"]),
            st.tuples(st.integers(0, 200), st.integers(0, 200)),
        ),
        "by": st.sampled_from(
            [
                "",
                "unit",
                "survey",
                "month",
                "quarter",
                "language",
                "hour",
                "day",
                "weekday",
                "channel",
                "staff",
            ]
        ),
        "grain": st.sampled_from(["day", "week", "month", "quarter"]),
        "metric": st.sampled_from(["enps", "responses", "nps"]),
    }
)


def to_params(seeded: Seeded, q: dict) -> dict:
    params: dict = {"grain": q["grain"], "metric": q["metric"]}
    params.update(survey_choices(seeded)[q["survey"]])
    if q["unit"]:
        params["unit"] = seeded.world.acme.units[q["unit"]].pk
    if isinstance(q["period"], str):
        params["period"] = q["period"]
    else:
        first, second = sorted(q["period"])
        today = timezone.localdate()
        params["start"] = (today - timedelta(days=second)).isoformat()
        params["end"] = (today - timedelta(days=first)).isoformat()
    if q["by"]:
        params["by"] = q["by"]
    return params


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(queries, min_size=1, max_size=6))
def test_random_readers_periods_and_breakdowns_pin_nothing(seeded, db, chosen):
    attacker = directors_reading(seeded)
    for q in chosen:
        params = to_params(seeded, q)
        if q["kind"] == "metrics":
            attacker.metrics(q["actor"], params)
        elif q["kind"] == "dashboard":
            params.pop("by", None)
            attacker.dashboard(q["actor"], params)
        else:
            params.pop("by", None)
            attacker.answers(q["actor"], params)
    assert attacker.attack() == []
