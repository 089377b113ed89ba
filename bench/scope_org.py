"""Bulk-built organisations for the scope benchmark: a company, countries, regions of 40 stores.

Every organisation has the same measured people (a director at the root, a regional manager
of a full region, a store manager of its first store), so only the organisation's size differs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from voxloop.tenancy.models import Membership, Organization, OrgUnit, path_segment
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.selectors import visible_units

STORES_PER_REGION = 40
PAGE = 100


@dataclass
class BenchOrg:
    organization: Organization
    users: dict[str, int]  # measured person → user id


def _insert_level(org, parents: list[OrgUnit], kind: str, count_for, prefix: str) -> list:
    rows = []
    for parent in parents:
        for _ in range(count_for(parent)):
            code = f"{prefix}{len(rows) + 1:05d}"
            rows.append(OrgUnit(organization=org, parent=parent, name=code, kind=kind, code=code))
    created = OrgUnit.objects.bulk_create(rows, batch_size=2000)
    for unit in created:
        unit.path = unit.parent.path + path_segment(unit.pk)
        unit.depth = unit.parent.depth + 1
    OrgUnit.objects.bulk_update(created, ["path", "depth"], batch_size=1000)
    return created


def _plan(units: int) -> tuple[int, list[int]]:
    """Countries, and the store count of each region, adding up to `units` in all."""
    countries = max(1, units // 1000)
    remaining = units - 1 - countries
    regions = [STORES_PER_REGION] * (remaining // (STORES_PER_REGION + 1))
    leftover = remaining % (STORES_PER_REGION + 1)
    if leftover:
        regions.append(leftover - 1)
    return countries, regions


@transaction.atomic
def build_benchmark_org(slug: str, units: int, users: int) -> BenchOrg:
    org = Organization.objects.create(name=slug, slug=slug)
    root = OrgUnit.objects.create(organization=org, name=slug, kind="company", code="ROOT")
    root.path = path_segment(root.pk)
    root.save(update_fields=["path"])
    country_count, region_sizes = _plan(units)
    countries = _insert_level(org, [root], "country", lambda _: country_count, "C")
    per_country = [0] * country_count
    for i in range(len(region_sizes)):
        per_country[i % country_count] += 1
    by_country = dict(zip((c.pk for c in countries), per_country, strict=True))
    regions = _insert_level(org, countries, "region", lambda c: by_country[c.pk], "R")
    sizes = dict(zip((r.pk for r in regions), region_sizes, strict=True))
    stores = _insert_level(org, regions, "store", lambda r: sizes[r.pk], "S")
    assert OrgUnit.objects.filter(organization=org).count() == units
    people = _add_people(org, slug, root, regions[0], stores[0], [root, *regions, *stores], users)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return BenchOrg(org, people)


def _add_people(org, slug, root, region, store, all_units, count: int) -> dict[str, int]:
    User = get_user_model()
    password = make_password("bench-password-not-used")
    users = User.objects.bulk_create(
        [User(username=f"{slug}-{i:05d}", password=password) for i in range(count)],
        batch_size=2000,
    )
    measured = {"director": (root, "analyst"), "regional": (region, "manager")}
    measured["store"] = (store, "manager")
    rows, people = [], {}
    for i, user in enumerate(users):
        name = list(measured)[i] if i < len(measured) else None
        unit, role = measured[name] if name else (all_units[i % len(all_units)], "viewer")
        if name:
            people[name] = user.pk
        rows.append(Membership(user=user, organization=org, unit=unit, role=role))
    Membership.objects.bulk_create(rows, batch_size=2000)
    return people


def resolve(org: BenchOrg, person: str) -> Scope:
    membership = Membership.objects.select_related("unit", "user").get(
        user_id=org.users[person], organization_id=org.organization.pk
    )
    return Scope.of(membership)


def operations(org: BenchOrg) -> dict:
    """Named zero-argument callables, each doing what one page or API call would."""
    scopes = {person: resolve(org, person) for person in org.users}

    def first_page(person):
        return lambda: list(visible_units(scopes[person])[:PAGE])

    def subtree(person):
        return lambda: list(visible_units(scopes[person]))

    return {
        "resolve scope (membership→Scope)": lambda: resolve(org, "store"),
        "store manager: first page": first_page("store"),
        "store manager: whole subtree": subtree("store"),
        "regional manager: first page": first_page("regional"),
        "regional manager: whole subtree": subtree("regional"),
        "director: first page": first_page("director"),
    }


def kept_org(slug: str) -> BenchOrg:
    """An organisation built earlier by build_benchmark_org (a kept benchmark database)."""
    User = get_user_model()
    org = Organization.objects.get(slug=slug)
    names = ("director", "regional", "store")  # _add_people's order
    users = {name: User.objects.get(username=f"{slug}-{i:05d}").pk for i, name in enumerate(names)}
    return BenchOrg(org, users)
