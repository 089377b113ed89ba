"""The demo's unit tree: a retail chain by country and region, and a B2B support division."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from voxloop.demo.names import COUNTRIES, STORE_SITES, SUPPORT_TEAMS, Country
from voxloop.demo.progress import Progress
from voxloop.tenancy import services
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope


@dataclass
class Placed:
    """A unit with the country it lies in (teams count as the UK, where support sits)."""

    unit: OrgUnit
    country: Country


@dataclass
class DemoTree:
    root: OrgUnit
    countries: dict[str, OrgUnit] = field(default_factory=dict)
    regions: list[Placed] = field(default_factory=list)
    stores: list[Placed] = field(default_factory=list)
    division: OrgUnit | None = None
    teams: dict[str, OrgUnit] = field(default_factory=dict)


def build_tree(
    system: Scope, root: OrgUnit, stores: int, rng: random.Random, progress: Progress
) -> DemoTree:
    tree = DemoTree(root=root)
    regions = sum(len(c.regions) for c in COUNTRIES)
    progress.start("Organisation tree", len(COUNTRIES) + regions + stores + len(SUPPORT_TEAMS))
    for country in COUNTRIES:
        unit = services.create_unit(
            actor=system, parent=root, name=country.name, kind="country", code=country.code
        )
        # Its stores' days and hours are counted in the country's local time (inherited).
        unit = services.update_unit(actor=system, unit=unit, time_zone=country.timezone)
        tree.countries[country.code] = unit
        for number, region_name in enumerate(country.regions, start=1):
            region = services.create_unit(
                actor=system,
                parent=unit,
                name=region_name,
                kind="region",
                code=f"R-{country.code}-{number}",
            )
            tree.regions.append(Placed(region, country))
            progress.advance()
        progress.advance()
    _add_stores(system, tree, stores, rng, progress)
    _add_support(system, tree, progress)
    return tree


def _store_regions(tree: DemoTree, stores: int, rng: random.Random) -> list[Placed]:
    """Which region each store opens in: one each first, then weighted by how many cities."""
    regions = tree.regions
    chosen = regions[: min(stores, len(regions))]
    weights = [len(r.country.regions[r.unit.name]) for r in regions]
    chosen += rng.choices(regions, weights=weights, k=max(0, stores - len(regions)))
    order = {id(r): i for i, r in enumerate(regions)}
    return sorted(chosen, key=lambda r: order[id(r)])


def _add_stores(
    system: Scope, tree: DemoTree, stores: int, rng: random.Random, progress: Progress
) -> None:
    taken: set[str] = set()
    for number, region in enumerate(_store_regions(tree, stores, rng), start=1):
        city = rng.choice(region.country.regions[region.unit.name])
        name = f"{city} {rng.choice(STORE_SITES)}"
        suffix = 2
        base = name
        while name in taken:
            name, suffix = f"{base} {suffix}", suffix + 1
        taken.add(name)
        store = services.create_unit(
            actor=system, parent=region.unit, name=name, kind="store", code=f"S-{number:04d}"
        )
        tree.stores.append(Placed(store, region.country))
        progress.advance()


def _add_support(system: Scope, tree: DemoTree, progress: Progress) -> None:
    tree.division = services.create_unit(
        actor=system, parent=tree.root, name="B2B Customer Support", kind="division", code="B2B"
    )
    for code, name in SUPPORT_TEAMS:
        tree.teams[code] = services.create_unit(
            actor=system, parent=tree.division, name=name, kind="team", code=code
        )
        progress.advance()
