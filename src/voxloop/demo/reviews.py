"""The demo's online reviews: per country a Google Business Profile source (every store) and a
Trustpilot source (the country's business unit, placed at its flagship store), fed from payloads
recorded in the providers' own shapes (en, ro, ja, and zh from tourists) through the connectors'
parsers; a competitor's listing in every region; a year of reviews per store with its own
level; a few answered; an alert rule on 1–2 stars and reply templates in every language.
The sources are switched off: the demo never calls a provider."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from voxloop.closedloop import services as closedloop_services
from voxloop.demo.org_tree import DemoTree
from voxloop.reviews import services
from voxloop.reviews.models import ReviewSource, SourceLocation
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

# (stars, text) by language; what customers of a shop write, good and bad.
TEXTS = {
    "en": (
        (5, "Friendly staff and a quick checkout, will come back."),
        (4, "Good selection, the queue was a bit long on Saturday."),
        (2, "Waited twenty minutes at the till and nobody apologised."),
        (1, "Rude staff and the shelves were empty. Never again."),
        (3, "Fine, nothing special. Parking is hard."),
    ),
    "ro": (
        (5, "Personal foarte amabil, am găsit tot ce căutam."),
        (4, "Magazin curat, dar coada la casă a fost lungă."),
        (2, "Am așteptat mult și nimeni nu m-a ajutat."),
        (1, "Personal nepoliticos, nu mai revin."),
        (3, "Prețuri normale, parcare greu de găsit."),
    ),
    "ja": (
        (5, "スタッフの対応がとても丁寧で、また来たいです。"),
        (4, "品揃えは良いが、レジが少し混んでいました。"),
        (2, "レジで長く待たされました。"),
        (1, "店員の態度が悪く、二度と行きません。"),
        (3, "普通のお店です。駐車場が狭い。"),
    ),
    "zh": (
        (5, "服务很好，店员很热情。"),
        (2, "排队太久了，收银台只开了一个。"),
        (1, "店员态度很差。"),
    ),
}
REPLIES = {
    "en": "Thank you for your review, {name}. We have passed it on to the store team.",
    "ro": "Vă mulțumim pentru recenzie, {name}. Am transmis-o echipei magazinului.",
    "ja": "{name}様、レビューをありがとうございます。店舗スタッフに共有いたしました。",
    "zh": "{name}，感谢您的评价，我们已转告门店团队。",
}
REVIEWER_NAMES = {
    "en": ("Sam Taylor", "Priya Shah", "Tom Hughes", "Ella Brown"),
    "ro": ("Ana Popescu", "Mihai Ionescu", "Elena Stan", "Radu Pop"),
    "ja": ("佐藤 花子", "鈴木 一郎", "高橋 美咲", "田中 健"),
    "zh": ("王芳", "李雷", "张伟"),
}
STAR_WORDS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}  # Google's starRating


@dataclass(frozen=True)
class ReviewsResult:
    sources: int
    reviews: int
    competitors: int


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pick(rng: random.Random, language: str, level: float) -> tuple[int, str]:
    """A review whose stars lean on the store's level (0 poor … 1 excellent)."""
    pool = TEXTS[language]
    weights = [(s / 5) ** (3 * level) * (1 - s / 6) ** (3 * (1 - level)) + 0.02 for s, _ in pool]
    return rng.choices(pool, weights=weights)[0]


def _language(rng: random.Random, country_language: str) -> str:
    return "zh" if rng.random() < 0.08 else country_language


def _google_payload(
    rng: random.Random, store: OrgUnit, language: str, level: float, count: int, anchor: datetime
) -> dict:
    """One page of Google Business Profile reviews for a store, as the API answers it."""
    reviews = []
    for n in range(count):
        lang = _language(rng, language)
        stars, text = _pick(rng, lang, level)
        created = anchor - timedelta(days=rng.uniform(0, 365))
        row: dict = {
            "name": f"accounts/demo/locations/{store.code}/reviews/g{store.code}-{n}",
            "reviewId": f"g{store.code}-{n}",
            "reviewer": {"displayName": rng.choice(REVIEWER_NAMES[lang]), "isAnonymous": False},
            "starRating": STAR_WORDS[stars],
            "comment": text,
            "createTime": _iso(created),
            "updateTime": _iso(created),
        }
        if rng.random() < 0.3:
            replied = created + timedelta(hours=rng.uniform(2, 96))
            name = row["reviewer"]["displayName"].split(" ")[0]
            row["reviewReply"] = {
                "comment": REPLIES[lang].format(name=name),
                "updateTime": _iso(replied),
            }
        reviews.append(row)
    return {"reviews": reviews, "totalReviewCount": count}


def _trustpilot_payload(
    rng: random.Random, key: str, language: str, count: int, anchor: datetime
) -> dict:
    """One page of Trustpilot business-unit reviews, as the API answers it."""
    reviews = []
    for n in range(count):
        lang = _language(rng, language)
        stars, text = _pick(rng, lang, 0.6)
        created = anchor - timedelta(days=rng.uniform(0, 365))
        reviews.append(
            {
                "id": f"tp{key}-{n}",
                "consumer": {"displayName": rng.choice(REVIEWER_NAMES[lang])},
                "stars": stars,
                "title": text.split(",")[0][:40],
                "text": text,
                "language": lang,
                "createdAt": _iso(created),
                "updatedAt": None,
                "companyReply": None,
            }
        )
    return {"reviews": reviews, "links": []}


def _source(
    system: Scope, unit: OrgUnit, name: str, kind: str, competitor: bool = False
) -> ReviewSource:
    source = services.create_source(
        scope=system, unit=unit, name=name, kind=kind, is_competitor=competitor
    )
    # Switched off: a demo must never call a provider (it has no credentials anyway).
    return services.update_source(scope=system, source=source, is_active=False)


def _replay(
    system: Scope, source: ReviewSource, location: SourceLocation, body: dict, anchor: datetime
) -> int:
    return services.replay_payload(
        scope=system, source=source, location=location, body=body, now=anchor
    )


def add_reviews(
    system: Scope, tree: DemoTree, rng: random.Random, anchor: datetime
) -> ReviewsResult:
    # The rule first: the last week's low ratings open cases once the seeding commits.
    _rules_and_templates(system, tree)
    sources = stored = competitors = 0
    for code, country in tree.countries.items():
        stores = [p for p in tree.stores if p.country.code == code]
        if not stores:
            continue
        language = stores[0].country.language
        gbp = _source(system, country, f"Google · {country.name}", "google_business")
        tp = _source(system, country, f"Trustpilot · {country.name}", "trustpilot")
        sources += 2
        for placed in stores:
            store = placed.unit
            location = services.set_location(
                scope=system,
                source=gbp,
                external_id=f"accounts/demo/locations/{store.code}",
                unit=store,
                label=store.name,
                public_url=f"https://search.google.com/local/writereview?placeid={store.code}",
            )
            level = rng.betavariate(5, 2)
            payload = _google_payload(rng, store, language, level, rng.randint(12, 40), anchor)
            stored += _replay(system, gbp, location, payload, anchor)
        flagship = stores[0].unit
        location = services.set_location(
            scope=system, source=tp, external_id=f"bu-{code}", unit=flagship, label=country.name
        )
        payload = _trustpilot_payload(rng, code, language, 60, anchor)
        stored += _replay(system, tp, location, payload, anchor)
    rival = None
    for placed in tree.regions:
        region = placed.unit
        if rival is None:
            rival = _source(system, tree.root, "Rival Mart", "google_business", competitor=True)
            sources += 1
        location = services.set_location(
            scope=system,
            source=rival,
            external_id=f"accounts/rival/locations/{region.code}",
            unit=region,
            label=f"Rival Mart {region.name}",
        )
        payload = _google_payload(
            rng, region, placed.country.language, rng.betavariate(4, 3), 40, anchor
        )
        competitors += _replay(system, rival, location, payload, anchor)
    return ReviewsResult(sources=sources, reviews=stored, competitors=competitors)


def _rules_and_templates(system: Scope, tree: DemoTree) -> None:
    closedloop_services.create_rule(
        actor=system, unit=tree.root, name="Low online rating", applies_to="reviews",
        conditions={"match": "all", "items": [{"field": "rating", "op": "lte", "value": 2}]},
        recipients=[{"type": "role", "role": "manager"}], priority="high", sla_hours=24,
    )  # fmt: skip
    for language, body in REPLIES.items():
        closedloop_services.create_playbook(
            actor=system, unit=tree.root, name=f"Review reply ({language})", kind="review_reply",
            language=language, subject="-", body=body.replace("{name}", "{{first_name}}"),
        )  # fmt: skip
