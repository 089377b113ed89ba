"""The demo's pulse programme: a monthly pulse across every store for the year before the
anchor. Each store has its own head count (some under the floor, so their figures show as
"too few answers" and are merged into the region), its own mood that drifts over the year,
a response rate, a few comments in the four languages and frontline reports about
customers. Answers are generated in bulk through `history.import_wave`; deterministic for a
seed."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from voxloop.pulse import history, services
from voxloop.pulse.models import Category, Programme
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

WAVES = 12
COMMENTS = (
    "More staff on Saturdays would help a lot.",
    "The new handheld scanners are great.",
    "周末人手不够。",
    "新的扫描枪很好用。",
    "土曜日の人手が足りません。",
    "新しいスキャナーは使いやすいです。",
    "Avem nevoie de mai mulți colegi sâmbăta.",
    "Noile scanere sunt foarte bune.",
    "Training for the new till system came too late.",
    "My manager always has time for questions.",
)
REPORTS = (
    (Category.ISSUE, "Customers wait too long at the returns desk on Mondays."),
    (Category.ISSUE, "The card reader at till 3 often fails for contactless payments."),
    (Category.SUGGESTION, "Customers keep asking for a click-and-collect locker."),
    (Category.SUGGESTION, "顾客希望有更多的购物篮。"),
    (Category.PRAISE, "お客様は新しいセルフレジを気に入っています。"),
    (Category.ISSUE, "Clienții nu găsesc etichetele de preț la raionul de fructe."),
)


def _enps_score(rng: random.Random, mood: float) -> int:
    """0–10, centred on the store's mood (about 5 to 9)."""
    return max(0, min(10, round(rng.gauss(mood, 2.0))))


def _driver_score(rng: random.Random, mood: float) -> int:
    return max(1, min(5, round(rng.gauss(1 + (mood - 2) / 2, 0.9))))


def _store_answers(
    rng: random.Random, store: OrgUnit, head: int, mood: float, drivers: list[int]
) -> list[history.PastAnswer]:
    answers = []
    for _ in range(head):
        if rng.random() > 0.75:  # about three in four answer
            continue
        comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ""
        answers.append(
            history.PastAnswer(
                unit=store,
                enps=_enps_score(rng, mood),
                drivers={q: _driver_score(rng, mood) for q in drivers},
                comment=comment,
            )
        )
    return answers


def add_pulse(
    system: Scope, root: OrgUnit, stores: list[OrgUnit], rng: random.Random, anchor: datetime
) -> Programme:
    programme = services.create_programme(
        actor=system,
        unit=root,
        settings=services.Settings(name="Monthly pulse", reminder_after_days=4),
        start=anchor + timedelta(days=1),
    )
    heads = {
        s.pk: (rng.randint(2, 4) if rng.random() < 0.2 else rng.randint(6, 16)) for s in stores
    }
    moods = {s.pk: rng.uniform(5.5, 8.5) for s in stores}
    drift = {s.pk: rng.uniform(-0.12, 0.12) for s in stores}
    for number in range(1, WAVES + 1):
        opened = anchor - timedelta(days=30 * (WAVES - number + 1))
        asked = services.rotation(programme=programme, number=number)
        drivers = [q for q in asked if q != asked[0]]
        answers: list[history.PastAnswer] = []
        for store in stores:
            mood = moods[store.pk] + drift[store.pk] * number
            answers += _store_answers(rng, store, heads[store.pk], mood, drivers)
        reports: list[tuple[OrgUnit, str, str]] = []
        for _ in range(rng.randint(1, 3)):
            category, text = rng.choice(REPORTS)
            reports.append((rng.choice(stores), str(category), text))
        history.import_wave(
            actor=system,
            programme=programme,
            opened_at=opened,
            answers=answers,
            invited=sum(heads.values()),
            reports=reports,
        )
    return programme
