"""The demo's customers: B2B accounts with their contacts, and retail contacts at the stores."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from voxloop.contacts.models import Account, Contact
from voxloop.contacts.services import bulk_add_accounts, bulk_add_contacts
from voxloop.demo import names
from voxloop.demo.names import COUNTRIES, Country
from voxloop.demo.org_tree import DemoTree
from voxloop.demo.people import ascii_slug
from voxloop.demo.progress import Progress
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

COUNTRY_BY_CODE = {c.code: c for c in COUNTRIES}
HIGH_TOUCH_SHARE = 0.3
B2B_TITLES = ("Head of Operations", "IT Manager", "Procurement Lead", "CFO", "Office Manager")


def add_accounts(
    system: Scope, tree: DemoTree, managers: list[Membership], count: int, rng: random.Random
) -> list[Account]:
    """B2B accounts: high-touch ones with Enterprise Success, the rest with the other teams;
    each owned by an account manager of the team that looks after it."""
    by_team: dict[int, list] = {}
    for membership in managers:
        by_team.setdefault(membership.unit_id, []).append(membership.user)
    enterprise = tree.teams["T-ENT"]
    others = [t for code, t in tree.teams.items() if code in ("T-MM", "T-SMB")]
    rows: list[Account] = []
    taken: set[str] = set()
    for number in range(1, count + 1):
        high = rng.random() < HIGH_TOUCH_SHARE
        team = enterprise if high else rng.choice(others)
        bands = names.ARR_BANDS[2:] if high else names.ARR_BANDS[:3]
        country = rng.choice(COUNTRIES)
        rows.append(
            Account(
                unit=team,
                external_id=f"ACC-{number:04d}",
                name=_company_name(rng, taken),
                tier="high_touch" if high else "low_touch",
                owner=rng.choice(by_team[team.pk]) if by_team.get(team.pk) else None,
                attributes={
                    "industry": rng.choice(names.INDUSTRIES),
                    "arr_band": rng.choice(bands),
                    "renewal_month": rng.randint(1, 12),
                    "country": country.code,
                    "employees": rng.choice((25, 80, 250, 1200, 5000)),
                    # From the number, not the generator: the rest of the demo stays the same.
                    "seats": 5 + number * 7 % 56 if high else 1 + number * 5 % 15,
                },
                # Customers for one to eight years (health's tenure, churn by the year).
                customer_since=date(2018, 1, 1) + timedelta(days=number * 377 % 2500),
            )
        )
    return bulk_add_accounts(actor=system, accounts=rows)


def _company_name(rng: random.Random, taken: set[str]) -> str:
    for _ in range(50):
        name = f"{rng.choice(names.COMPANY_WORDS)} {rng.choice(names.COMPANY_SUFFIXES)}"
        if name not in taken:
            break
    else:
        name = f"{name} {len(taken)}"
    taken.add(name)
    return name


def add_contacts(
    system: Scope,
    tree: DemoTree,
    accounts: list[Account],
    count: int,
    rng: random.Random,
    progress: Progress,
    anchor: datetime,
) -> int:
    progress.start("Contacts", count)
    return bulk_add_contacts(
        actor=system, contacts=_contacts(tree, accounts, count, rng, progress, anchor)
    )


def _contacts(
    tree: DemoTree,
    accounts: list[Account],
    count: int,
    rng: random.Random,
    progress: Progress,
    anchor: datetime,
) -> Iterator[Contact]:
    """About 3% of contacts work at B2B accounts; the rest are retail customers of a store."""
    b2b = min(len(accounts) * 5, count // 30) if accounts else 0
    for number in range(1, count + 1):
        if number <= b2b:
            account = accounts[(number - 1) % len(accounts)]
            country = COUNTRY_BY_CODE[account.attributes["country"]]
            contact = _person(rng, country, number, account.unit, account)
        else:
            store = rng.choice(tree.stores)
            contact = _person(rng, store.country, number, store.unit, None)
        # A customer since their tenure says (the demo loads them all today).
        tenure_days = 30 * contact.attributes["tenure_months"] + number % 29
        contact.customer_since = anchor.date() - timedelta(days=tenure_days)
        if number % 1000 == 0 or number == count:
            progress.advance(1000 if number % 1000 == 0 else count % 1000)
        yield contact


def preferred_language(rng: random.Random, country: Country) -> str:
    roll = rng.random()
    for language, share in country.other_languages:
        if roll < share:
            return language
        roll -= share
    return country.language


def _person(
    rng: random.Random, country: Country, number: int, unit: OrgUnit, account: Account | None
) -> Contact:
    language = preferred_language(rng, country)
    if language == "zh-hans":
        first, last = rng.choice(names.CHINESE_FIRST), rng.choice(names.CHINESE_LAST)
    elif language == "en" and country.language != "en":
        first, last = rng.choice(names.UK.first_names), rng.choice(names.UK.last_names)
    else:
        first, last = rng.choice(country.first_names), rng.choice(country.last_names)
    digits = "".join(str(rng.randrange(10)) for _ in range(8))
    return Contact(
        home_unit=unit,
        account=account,
        external_id=f"C-{number:06d}",
        first_name=first,
        last_name=last,
        email=f"{ascii_slug(f'{first} {last}')}.{number}@example.com",
        phone=f"{country.phone_prefix}{digits}",
        locale=language,
        timezone=country.timezone,
        attributes=_b2b_attributes(rng) if account else _retail_attributes(rng, country),
    )


def _retail_attributes(rng: random.Random, country: Country) -> dict:
    tenure = int(rng.expovariate(1 / 30)) % 180
    segment = names.SEGMENTS[min(4, tenure // 24 + (rng.random() < 0.2))]
    return {
        "tenure_months": tenure,
        "segment": segment,
        "products": sorted(rng.sample(names.PRODUCTS, k=rng.randint(1, 4))),
        "spend_band": rng.choices(names.SPEND_BANDS, weights=(40, 35, 18, 7))[0],
        "country": country.code,
    }


def _b2b_attributes(rng: random.Random) -> dict:
    return {
        "tenure_months": rng.randint(1, 96),
        "segment": "b2b",
        "job_title": rng.choice(B2B_TITLES),
        "decision_maker": rng.random() < 0.3,
    }
