"""One generator of historical submissions per demo survey: who answered, where, when, on
which channel and device, in which language, with which scores and comments."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import TYPE_CHECKING

from voxloop.demo.comments import MID, NEG, POS, tone_of, write_comment
from voxloop.demo.customers import preferred_language
from voxloop.demo.names import UK
from voxloop.demo.questionnaires import STORE_ISSUES
from voxloop.responses.services import Submission
from voxloop.surveys.models import Survey

if TYPE_CHECKING:
    from voxloop.contacts.models import Contact
    from voxloop.demo.feedback import FeedbackWorld
    from voxloop.tenancy.models import OrgUnit, Staff

COMMENT_RATE = {NEG: 0.55, MID: 0.33, POS: 0.32}
REASONS = {  # the main reason customers give, by tone
    NEG: (("price", 4), ("quality", 2), ("service", 3), ("range", 2), ("online", 2), ("other", 1)),
    MID: (("price", 3), ("quality", 3), ("service", 2), ("range", 2), ("online", 2), ("other", 1)),
    POS: (("price", 1), ("quality", 3), ("service", 4), ("range", 2), ("online", 1), ("other", 1)),
}
REASON_THEME = {"price": "price", "quality": "quality", "service": "staff", "range": "availability"}
OTHER_REASONS = {
    "en": ("Parking near the store", "Opening hours"),
    "zh-hans": ("门店附近停车", "营业时间"),
    "ja": ("店舗近くの駐車場", "営業時間"),
    "ro": ("Parcarea de lângă magazin", "Programul de funcționare"),
}


def clamp(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([k for k, _ in weighted], weights=[w for _, w in weighted])[0]


def _first_name(staff: Staff | None) -> str | None:
    return staff.name.split()[0] if staff is not None else None


def store_visit(
    survey: Survey, world: FeedbackWorld, count: int, rng: random.Random
) -> Iterator[Submission]:
    """QR codes on the counter and a kiosk by the door; staff codes on name badges."""
    stores = world.tree.stores
    cumulative = _cumulative(world.store_weights)
    for _ in range(count):
        placed = rng.choices(stores, cum_weights=cumulative)[0]
        store = placed.unit
        moment = world.clock.draw(rng, "store", placed.country.timezone)
        team = world.staff_by_unit.get(store.pk, [])
        staff = rng.choice(team) if team and rng.random() < 0.75 else None
        regulars = world.retail_by_store.get(store.pk)
        contact = rng.choice(regulars) if regulars and rng.random() < 0.35 else None
        locale = contact.locale if contact else preferred_language(rng, placed.country)
        mood = world.store_effect[store.pk] - world.decline(store.pk, moment.decline)
        mood += world.staff_effect[staff.pk] if staff else 0.0
        mood -= 0.4 if moment.busy else 0.0
        nps = clamp(rng.gauss(8.5 + mood, 1.9), 0, 10)
        answers: dict = {"nps": nps}
        if rng.random() < 0.85:
            friendliness = 3.9 + 0.3 * (nps - 8) + (world.staff_effect[staff.pk] if staff else 0)
            answers["friendliness"] = clamp(rng.gauss(friendliness, 0.7), 1, 5)
        tone = tone_of(nps)
        issues = _store_issues(rng, moment.busy) if nps <= 6 else []
        if issues:
            answers["improve"] = issues
        if rng.random() < COMMENT_RATE[tone]:
            theme = issues[0] if issues else rng.choice(("staff", "staff", *STORE_ISSUES))
            answers["comment"] = write_comment(rng, locale, theme, tone, _first_name(staff))
        channel, device = _store_channel(rng)
        yield Submission(
            survey=survey,
            answers=answers,
            unit=store,
            staff=staff,
            contact=contact,
            channel=channel,
            device=device,
            locale=locale,
            submitted_at=moment.at,
            allow_closed=True,
        )


def _store_issues(rng: random.Random, busy: bool) -> list[str]:
    weights = [5 if busy and issue == "queue" else 2 for issue in STORE_ISSUES]
    first = rng.choices(STORE_ISSUES, weights=weights)[0]
    if rng.random() < 0.35:
        second = rng.choice(STORE_ISSUES)
        return [first, second] if second != first else [first]
    return [first]


def _store_channel(rng: random.Random) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.7:
        return "qr", "mobile" if rng.random() < 0.93 else "tablet"
    if roll < 0.9:
        return "kiosk", "kiosk"
    return "web", "mobile" if rng.random() < 0.6 else "desktop"


def _cumulative(weights: list[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def relationship(
    survey: Survey, world: FeedbackWorld, count: int, rng: random.Random
) -> Iterator[Submission]:
    """The twice-yearly relationship email to retail customers, answered at home."""
    segment_effect = {"new": -0.3, "occasional": -0.2, "regular": 0.1, "loyal": 0.5, "vip": 0.7}
    for _ in range(count):
        contact = rng.choice(world.retail) if world.retail else None
        placed = world.place_of[contact.home_unit_id] if contact else rng.choice(world.tree.stores)
        moment = world.clock.draw(rng, "relationship", placed.country.timezone)
        unit = placed.unit
        segment = str(contact.attributes.get("segment") or "") if contact else ""
        mood = 0.6 * world.store_effect[unit.pk] + segment_effect.get(segment, 0.0)
        mood -= 0.5 * world.decline(unit.pk, moment.decline)
        nps = clamp(rng.gauss(8.0 + mood, 2.0), 0, 10)
        tone = tone_of(nps)
        locale = contact.locale if contact else preferred_language(rng, placed.country)
        answers: dict = {"nps": nps}
        if rng.random() < 0.9:
            answers["reason"] = _pick(rng, REASONS[tone])
            if answers["reason"] == "other":
                answers["reason:other"] = rng.choice(OTHER_REASONS[locale])
        if rng.random() < COMMENT_RATE[tone]:
            theme = REASON_THEME.get(answers.get("reason", ""), "online")
            text = write_comment(rng, locale, theme, tone)
            where = "improve" if nps <= 8 and rng.random() < 0.6 else "comment"
            answers[where] = text
        email = rng.random() < 0.75
        yield Submission(
            survey=survey,
            answers=answers,
            unit=unit,
            contact=contact,
            channel="email" if email else "web",
            device=_home_device(rng),
            locale=locale,
            submitted_at=moment.at,
            allow_closed=True,
        )


def _home_device(rng: random.Random) -> str:
    roll = rng.random()
    return "mobile" if roll < 0.55 else "desktop" if roll < 0.95 else "tablet"


TEAM_EFFECT = {"T-ENT": 0.45, "T-MM": 0.0, "T-SMB": -0.1, "T-TECH": -0.35}


def support(
    survey: Survey, world: FeedbackWorld, count: int, rng: random.Random
) -> Iterator[Submission]:
    """After a ticket closes, the B2B contact who raised it gets a short email survey."""
    teams = {unit.pk: code for code, unit in world.tree.teams.items()}
    team_units = list(world.tree.teams.values())
    for _ in range(count):
        contact = rng.choice(world.business) if world.business else None
        unit = _team_of(contact, team_units, rng)
        agents = world.staff_by_unit.get(unit.pk, [])
        agent = rng.choice(agents) if agents else None
        moment = world.clock.draw(rng, "support", UK.timezone)
        quality = rng.gauss(TEAM_EFFECT.get(teams.get(unit.pk, ""), 0.0), 1.0)
        quality += 0.6 * world.staff_effect[agent.pk] if agent else 0.0
        csat = clamp(4.1 + 0.9 * quality + rng.gauss(0, 0.4), 1, 5)
        answers: dict = {"csat": csat, "ces": clamp(5.4 + 1.2 * quality + rng.gauss(0, 0.6), 1, 7)}
        if rng.random() < 0.6:
            answers["nps"] = clamp(7.6 + 1.5 * quality + rng.gauss(0, 1.0), 0, 10)
        tone = tone_of(csat, 5)
        locale = contact.locale if contact else "en"
        if rng.random() < COMMENT_RATE[tone]:
            theme = "support_speed" if rng.random() < 0.5 else "support_knowledge"
            answers["comment"] = write_comment(rng, locale, theme, tone, _first_name(agent))
        yield Submission(
            survey=survey,
            answers=answers,
            unit=unit,
            staff=agent,
            contact=contact,
            channel="email" if rng.random() < 0.85 else "web",
            device="desktop" if rng.random() < 0.75 else "mobile",
            locale=locale,
            submitted_at=moment.at,
            allow_closed=True,
        )


def _team_of(contact: Contact | None, team_units: list[OrgUnit], rng: random.Random) -> OrgUnit:
    if contact is not None:
        for unit in team_units:
            if unit.pk == contact.home_unit_id:
                return unit
    return rng.choice(team_units)


def pulse(
    survey: Survey, world: FeedbackWorld, count: int, rng: random.Random
) -> Iterator[Submission]:
    """The monthly anonymous employee pulse; a struggling store's staff feel it too."""
    places = [(p.unit, p.country) for p in world.tree.stores]
    places += [(unit, UK) for unit in world.tree.teams.values()]
    weights = _cumulative([len(world.staff_by_unit.get(u.pk, [])) or 0.5 for u, _ in places])
    for _ in range(count):
        unit, country = rng.choices(places, cum_weights=weights)[0]
        moment = world.clock.draw(rng, "pulse", country.timezone)
        mood = 0.5 * world.store_effect.get(unit.pk, 0.2)
        mood -= 0.6 * world.decline(unit.pk, moment.decline)
        enps = clamp(rng.gauss(7.3 + mood, 2.1), 0, 10)
        answers = {
            "enps": enps,
            "tools": clamp(rng.gauss(3.4 + 0.25 * (enps - 7), 0.8), 1, 5),
            "recognition": clamp(rng.gauss(3.2 + 0.3 * (enps - 7), 0.9), 1, 5),
        }
        yield Submission(
            survey=survey,
            answers=answers,
            unit=unit,
            channel="web",
            device="mobile" if rng.random() < 0.6 else "desktop",
            locale=country.language if rng.random() < 0.9 else "en",
            submitted_at=moment.at,
            allow_closed=True,
        )
