"""The demo's people: one login per role at a telling place in the tree, and frontline staff."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from voxloop.accounts.services import create_user
from voxloop.demo.names import ACCOUNT_MANAGERS, UK, Country
from voxloop.demo.org_tree import DemoTree
from voxloop.demo.progress import Progress
from voxloop.tenancy import services
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

EMAIL_DOMAIN = "northwind.example"


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    unit: OrgUnit
    title: str
    first_name: str
    last_name: str

    @property
    def where(self) -> str:
        return f"{self.unit.name} ({self.unit.code})"


def ascii_slug(text: str) -> str:
    """'Ștefan Lazăr' → 'stefan.lazar': for made-up email addresses."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(part for part in folded.lower().replace("-", " ").split() if part)


def demo_logins(tree: DemoTree) -> list[Login]:
    """The logins the README lists; the regional, store and agent logins share one region."""
    region = tree.regions[0].unit
    store = next(p.unit for p in tree.stores if p.unit.parent_id == region.pk)
    uk = tree.countries[UK.code]
    return [
        Login("admin", "admin", tree.root, "Voxloop administrator", "Alex", "Morgan"),
        Login("director", "analyst", tree.root, "CX director", "Catherine", "Hughes"),
        Login("regional", "manager", region, "Regional manager", "Daniel", "Price"),
        Login("store", "manager", store, "Store manager", "Sophie", "Turner"),
        Login("agent", "agent", store, "Customer care agent", "Liam", "Baker"),
        Login("viewer", "viewer", uk, "Country operations", "Olivia", "Reed"),
        *(
            Login(username, "manager", tree.teams[team], "Account manager", first, last)
            for username, first, last, team in ACCOUNT_MANAGERS
        ),
    ]


def create_logins(system: Scope, tree: DemoTree, password: str) -> list[Membership]:
    """Users and memberships for every demo login, all sharing one password."""
    memberships = []
    for login in demo_logins(tree):
        user = create_user(
            username=login.username,
            email=f"{login.username}@{EMAIL_DOMAIN}",
            first_name=login.first_name,
            last_name=login.last_name,
            is_superuser=login.username == "admin",
        )
        memberships.append(
            services.grant_membership(
                actor=system, user=user, unit=login.unit, role=login.role, title=login.title
            )
        )
    # One hash for all: Argon2 is slow on purpose, and the demo shares one password anyway.
    get_user_model().objects.filter(pk__in=[m.user_id for m in memberships]).update(
        password=make_password(password)
    )
    return memberships


def add_staff(
    system: Scope, tree: DemoTree, count: int, rng: random.Random, progress: Progress
) -> int:
    """Frontline staff: a few per support team, the rest spread over the stores."""
    progress.start("Staff", count)
    team_share = min(count, len(tree.teams) * 5) if count >= 40 else 0
    places: list[tuple[OrgUnit, Country, str | None]] = [
        (unit, UK, "Support specialist") for unit in tree.teams.values()
    ]
    assigned = [places[i % len(places)] for i in range(team_share)]
    stores: list[tuple[OrgUnit, Country, str | None]] = [
        (p.unit, p.country, None) for p in tree.stores
    ]
    assigned += [stores[i % len(stores)] for i in range(count - team_share)] if stores else []
    taken: set[str] = set()
    for number, (unit, country, title) in enumerate(assigned, start=1):
        name = _unique_name(rng, country, taken)
        title = title or rng.choice(("Sales associate", "Sales associate", "Shift lead", "Cashier"))
        services.add_staff(
            actor=system,
            unit=unit,
            name=name,
            code=f"E-{number:05d}",
            email=f"{ascii_slug(name)}@{EMAIL_DOMAIN}",
            job_title=title,
        )
        progress.advance()
    return len(assigned)


def _unique_name(rng: random.Random, country: Country, taken: set[str]) -> str:
    for _ in range(20):
        name = f"{rng.choice(country.first_names)} {rng.choice(country.last_names)}"
        if name not in taken:
            break
    # Namesakes exist in real shops too; only the email must differ.
    if name in taken:
        name = f"{name} {chr(ord('A') + rng.randrange(26))}."
    taken.add(name)
    return name
