"""Health fixtures: a small book of B2B accounts in two stores of each organisation, owned
by each store's manager, with contacts who answer the store-visit survey."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tests.surveys.builders import store_visit_survey
from voxloop.contacts.models import Account, Contact
from voxloop.contacts.selectors import accounts_of, people_of
from voxloop.contacts.services import bulk_add_accounts, bulk_add_contacts
from voxloop.responses import services as response_services
from voxloop.responses.services import Submission


@dataclass
class Book:
    accounts: dict[str, Account]
    contacts: dict[str, Contact]
    survey: object


def build_book(org, prefix: str) -> Book:
    """Accounts `mine` (c1r1s1, owned by the store manager) and `next` (c1r1s2, owned by the
    sibling store's manager), two contacts each."""
    system = org.system
    rows = [
        Account(unit=org.units["c1r1s1"], external_id=f"{prefix}-mine", name=f"{prefix} Mine Ltd",
                tier="high_touch", owner=org.user("store"), attributes={"seats": 40}),
        Account(unit=org.units["c1r1s2"], external_id=f"{prefix}-next", name=f"{prefix} Next Ltd",
                tier="low_touch", owner=org.user("sibling_store"), attributes={"seats": 2}),
    ]  # fmt: skip
    bulk_add_accounts(actor=system, accounts=rows)
    accounts = {a.external_id.split("-")[1]: a for a in accounts_of(system.organization_id)}
    people = []
    for key, account in accounts.items():
        for n in (1, 2):
            people.append(
                Contact(home_unit=account.unit, account=account, external_id=f"{prefix}-{key}-{n}",
                        first_name=f"{key}{n}", email=f"{prefix}{key}{n}@example.test",
                        attributes={"role": "buyer" if n == 1 else "user"})
            )  # fmt: skip
    bulk_add_contacts(actor=system, contacts=people)
    contacts = {c.external_id.split("-", 1)[1]: c for c in people_of(system.organization_id)}
    return Book(accounts=accounts, contacts=contacts, survey=store_visit_survey(org))


def answer(book: Book, contact_key: str, nps: int, at: datetime | None = None, csat: int = 4):
    contact = book.contacts[contact_key]
    answers = {"nps": nps, "csat": csat}
    if nps <= 6:
        answers["improve"] = ["queue"]
    return response_services.submit(
        submission=Submission(
            survey=book.survey, answers=answers, contact=contact, unit=contact.home_unit,
            submitted_at=at,
        )
    ).response  # fmt: skip
