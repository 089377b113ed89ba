"""An attacker on anonymous figures: from everything shown, solve for a group under the floor.

Each figure shown is a sum over *atoms* (the answers placed at one unit, in one month, to one
survey) of a few counts: respondents `n`, promoters `P` and detractors `D` (an NPS figure's
value, standard error and n give P and D exactly; `counts_of` does that arithmetic). The
attacker knows which atoms each figure covers (the unit's subtree, the months, the surveys)
and that counts are whole numbers ≥ 0, and tries to pin a group:

1. differencing: is the group's indicator a linear combination of shown figures (a parent
   minus its children, one period minus another, …)? — exact linear algebra;
2. bounds: the least and greatest number of people the group can have given every shown
   figure and non-negativity — linear programming (scipy's HiGHS). (Promoters and
   detractors are bounded by it: they cannot be pinned above zero while it is free.)

A group is *pinned* when its respondent count is determined (either way), or its promoters
or detractors are determined and above zero. The anonymity rule holds when no group with
between 1 and floor − 1 respondents is pinned.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

FIELDS = ("n", "P", "D")
Atom = Hashable


@dataclass(frozen=True)
class Shown:
    atoms: frozenset
    counts: Mapping[str, int]  # some of FIELDS


def counts_of(figure: Mapping) -> dict[str, int]:
    """n, P and D from what an NPS figure shows: n, value = 100(P−D)/n and
    se = 100·√((p_P + p_D − (p_P − p_D)²)/n)."""
    n, value, se = figure["n"], figure["value"], figure["se"]
    diff = value / 100 * n  # P − D
    total = ((se / 100) ** 2 * n + (value / 100) ** 2) * n  # P + D
    return {"n": n, "P": round((total + diff) / 2), "D": round((total - diff) / 2)}


def pinned_groups(
    shown: Iterable[Shown],
    truth: Mapping[Atom, Mapping[str, int]],
    groups: Mapping[str, Iterable[Atom]],
    floor: int,
) -> list[str]:
    """The names of the groups under the floor (1 ≤ n < floor, from `truth`) that the shown
    figures pin."""
    shown = [s for s in shown if s.atoms]
    atoms = sorted({a for s in shown for a in s.atoms}, key=repr)
    index = {a: i for i, a in enumerate(atoms)}
    small = {
        name: frozenset(members)
        for name, members in groups.items()
        if 0 < sum(truth.get(a, {}).get("n", 0) for a in members) < floor
    }
    systems = {f: _system([s for s in shown if f in s.counts], f, index) for f in FIELDS}
    found = []
    for name, members in small.items():
        if any(a not in index for a in members):
            continue  # an atom no figure speaks of: its count is free
        for field in FIELDS:
            value = sum(truth.get(m, {}).get(field, 0) for m in members)
            if field != "n" and value == 0:
                continue  # "none of them" is what a block with none says of all its members
            system = systems[field]
            if system is not None and _pinned(system, members, index, bounds=field == "n"):
                found.append(f"{name}:{field}")
                break
    return found


def _system(rows: list[Shown], field: str, index) -> tuple | None:
    """The equations of one count, each distinct one once, and an orthonormal basis of the
    combinations they allow (one SVD; each group is then a projection)."""
    distinct = {(s.atoms, s.counts[field]) for s in rows}
    if not distinct:
        return None
    a = np.zeros((len(distinct), len(index)))
    b = np.zeros(len(distinct))
    for r, (atoms, total) in enumerate(sorted(distinct, key=repr)):
        for atom in atoms:
            a[r, index[atom]] = 1.0
        b[r] = total
    _, sv, vt = np.linalg.svd(a, full_matrices=False)
    basis = vt[sv > 1e-9 * max(sv.max(), 1.0)]
    return a, b, basis


def _pinned(system: tuple, members, index, bounds: bool) -> bool:
    a, b, basis = system
    target = np.zeros(len(index))
    for atom in members:
        target[index[atom]] = 1.0
    if np.linalg.norm(target - basis.T @ (basis @ target)) < 1e-6:
        return True  # a combination of shown figures
    if not bounds:
        return False
    low = linprog(target, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    high = linprog(-target, A_eq=a, b_eq=b, bounds=(0, None), method="highs")
    assert low.status != 2 and high.status != 2, "the shown figures contradict each other"
    if high.status == 3:
        return False  # unbounded
    return np.ceil(low.fun - 1e-6) >= np.floor(-high.fun + 1e-6)
