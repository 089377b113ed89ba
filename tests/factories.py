"""Builders for test data, through the same services the product uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from voxloop.accounts import services as account_services
from voxloop.tenancy import services
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope

PASSWORD = "correct-horse-battery-staple"
# For fixtures built outside a test (module scope), where the per-test settings do not apply.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username: str, password: str = PASSWORD, **fields):
    return account_services.create_user(
        username=username,
        email=f"{username}@example.test",
        password=password,
        check_password=False,
        **fields,
    )


def make_member(system: Scope, username: str, unit: OrgUnit, role: str) -> Membership:
    user = make_user(username)
    return services.grant_membership(actor=system, user=user, unit=unit, role=role)


@dataclass
class Org:
    root: OrgUnit
    system: Scope
    units: dict[str, OrgUnit] = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)

    def scope(self, name: str) -> Scope:
        return Scope.of(self.members[name])

    def user(self, name: str):
        return self.members[name].user


def build_org(slug: str, prefix: str) -> Org:
    """company → countries c1, c2 → regions c1r1.. → stores c1r1s1.., with a staff member each."""
    root = services.create_organization(name=f"{slug.title()} Retail", slug=slug)
    system = Scope.system(root)
    org = Org(root=root, system=system, units={"root": root})
    for c in (1, 2):
        country = services.create_unit(
            actor=system, parent=root, name=f"Country {c}", kind="country", code=f"{prefix}C{c}"
        )
        org.units[f"c{c}"] = country
        for r in (1, 2):
            region = services.create_unit(
                actor=system,
                parent=country,
                name=f"Region {c}.{r}",
                kind="region",
                code=f"{prefix}C{c}R{r}",
            )
            org.units[f"c{c}r{r}"] = region
            for s in (1, 2):
                store = services.create_unit(
                    actor=system,
                    parent=region,
                    name=f"Store {c}.{r}.{s}",
                    kind="store",
                    code=f"{prefix}C{c}R{r}S{s}",
                )
                org.units[f"c{c}r{r}s{s}"] = store
                services.add_staff(
                    actor=system, unit=store, name=f"Clerk {c}.{r}.{s}", code=f"{prefix}E{c}{r}{s}"
                )
    roles = {
        "admin": ("root", "admin"),
        "director": ("root", "analyst"),
        "country_admin": ("c1", "admin"),
        "regional": ("c1r1", "manager"),
        "store": ("c1r1s1", "manager"),
        "sibling_store": ("c1r1s2", "manager"),
        "agent": ("c1r1s1", "agent"),
        "viewer": ("c1r1", "viewer"),
        "analyst": ("c1", "analyst"),
    }
    for name, (unit_key, role) in roles.items():
        org.members[name] = make_member(
            system, f"{prefix.lower()}-{name}", org.units[unit_key], role
        )
    return org


@dataclass
class World:
    acme: Org
    other: Org
    loner: object  # a user with no membership anywhere


def build_world() -> World:
    acme = build_org("acme", "A")
    other = build_org("other", "B")
    loner = make_user("loner")
    return World(acme=acme, other=other, loner=loner)


def reload_world(world: World) -> World:
    """The same world read back from the database: new instances with the same keys."""
    return World(
        acme=_reload_org(world.acme),
        other=_reload_org(world.other),
        loner=user_model().objects.get(pk=world.loner.pk),
    )


def _reload_org(org: Org) -> Org:
    units = OrgUnit.objects.in_bulk([unit.pk for unit in org.units.values()])
    members = Membership.objects.select_related("user", "unit").in_bulk(
        [member.pk for member in org.members.values()]
    )
    root = units[org.root.pk]
    return Org(
        root=root,
        system=Scope.system(root),
        units={key: units[unit.pk] for key, unit in org.units.items()},
        members={name: members[member.pk] for name, member in org.members.items()},
    )


def user_model():
    return get_user_model()


# What the confirmation step of a destructive action posts back (voxloop.web.confirm).
YES = {"confirmed": "yes"}
