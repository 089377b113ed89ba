"""The anonymity rule's blocking, as pure functions (no database): which nodes of the unit tree
may show a month of an anonymous survey, and an attacker who fails against it on random trees.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analytics.attacker import Shown, pinned_groups
from voxloop.analytics.blocking import hidden_nodes

W = 2  # path segment width in these trees
FLOOR = 5


def subtotals(atoms: dict[str, tuple[int, ...]]) -> dict[str, tuple[int, ...]]:
    """Sums over each node's subtree, for every node with answers and its ancestors."""
    out: dict[str, list[int]] = {}
    for path, counts in atoms.items():
        for end in range(W, len(path) + 1, W):
            node = out.setdefault(path[:end], [0] * len(counts))
            for i, v in enumerate(counts):
                node[i] += v
    return {p: tuple(v) for p, v in out.items()}


def vec(n: int, nps_n: int | None = None) -> tuple[int, int, int, int]:
    return (n, n if nps_n is None else nps_n, 0, 0)


def test_a_country_minus_its_visible_regions_no_longer_gives_the_hidden_one():
    # Issue 15 item 9: Japan (10) shows Kantō 20, Kansai 15 and a third region of 2.
    atoms = {"1010": vec(0), "101010": vec(20), "101011": vec(15), "101012": vec(2)}
    hidden = hidden_nodes(subtotals(atoms), FLOOR, W)
    assert "101012" in hidden  # the small region
    assert "1010" not in hidden  # Japan is shown…
    assert "101011" in hidden  # …so its smallest other region is hidden with the small one
    assert "101010" not in hidden


def test_a_small_group_at_the_top_hides_the_nearest_smallest_block_not_the_company():
    atoms = {"10": vec(0), "1010": vec(37), "1011": vec(3), "101010": vec(20), "101011": vec(17)}
    hidden = hidden_nodes(subtotals(atoms), FLOOR, W)
    assert "10" not in hidden and "1011" in hidden
    assert "1010" in hidden  # the country's block takes the small country in
    assert not {"101010", "101011"} & hidden  # its regions stay


def test_answers_at_a_unit_itself_count_as_a_group_of_their_own():
    # A region's own office (2 people) beside two stores of 10: region − stores = 2.
    atoms = {"10": vec(2), "1010": vec(10), "1011": vec(10)}
    hidden = hidden_nodes(subtotals(atoms), FLOOR, W)
    assert hidden == {"1010"}


def test_a_whole_subtree_under_the_floor_passes_up_and_stays_hidden():
    atoms = {"101010": vec(1), "101011": vec(2), "1011": vec(9)}
    hidden = hidden_nodes(subtotals(atoms), FLOOR, W)
    assert {"101010", "101011", "1010"} <= hidden
    assert "10" not in hidden and "1011" in hidden  # 9 + 3: merged at the top


def test_every_count_a_figure_is_made_of_meets_the_floor():
    # 8 people, but only 3 answered the optional NPS question: the eNPS of 3 people.
    atoms = {"1010": vec(8, 3), "1011": vec(20, 20)}
    hidden = hidden_nodes(subtotals(atoms), FLOOR, W)
    assert "1010" in hidden


def test_too_few_people_anywhere_shows_nothing():
    atoms = {"1010": vec(2), "1011": vec(2)}
    assert hidden_nodes(subtotals(atoms), FLOOR, W) == {"10", "1010", "1011"}


def test_the_attacker_breaks_the_old_rule_of_hiding_each_small_figure_alone():
    """Hiding every figure under 5 on its own (the rule before decision 0016) leaves Japan
    minus Kantō and Kansai: the attacker must find that, or it proves nothing."""
    atoms = {"101010": (20, 9, 4), "101011": (15, 5, 5), "101012": (2, 0, 2)}
    totals = subtotals({p: vec(c[0]) for p, c in atoms.items()})
    truth = {p: {"n": c[0], "P": c[1], "D": c[2]} for p, c in atoms.items()}
    shown = []
    for node, counts in totals.items():
        if counts[0] >= FLOOR:
            members = frozenset(p for p in atoms if p.startswith(node))
            sums = {f: sum(truth[m][f] for m in members) for f in ("n", "P", "D")}
            shown.append(Shown(members, sums))
    assert pinned_groups(shown, truth, {"region 3": ["101012"]}, FLOOR) == ["region 3:n"]


@st.composite
def trees(draw):
    """A random unit tree (depth ≤ 3, ≤ 4 children each) with a few answers at any unit,
    mostly small groups; each answer a promoter, passive or detractor."""
    paths = ["10"]
    frontier = ["10"]
    for _ in range(3):
        grown = []
        for parent in frontier:
            for c in range(draw(st.integers(0, 4))):
                grown.append(f"{parent}{c + 10}")
        paths += grown
        frontier = grown
    atoms = {}
    for path in paths:
        n = draw(st.sampled_from([0, 0, 1, 1, 2, 3, 4, 5, 6, 9, 14]))
        if n:
            promoters = draw(st.integers(0, n))
            detractors = draw(st.integers(0, n - promoters))
            atoms[path] = (n, promoters, detractors)
    return atoms


@settings(max_examples=60, deadline=None)
@given(trees())
def test_no_group_under_the_floor_can_be_solved_for_from_what_is_shown(atoms):
    totals = subtotals({p: vec(c[0]) for p, c in atoms.items()})
    if not totals:
        return
    hidden = hidden_nodes(totals, FLOOR, W)
    truth = {p: {"n": c[0], "P": c[1], "D": c[2]} for p, c in atoms.items()}

    def under(node: str) -> frozenset:
        return frozenset(p for p in atoms if p.startswith(node))

    shown = []
    for node, counts in totals.items():
        if node not in hidden and counts[0]:
            members = under(node)
            sums = {f: sum(truth[m][f] for m in members) for f in ("n", "P", "D")}
            shown.append(Shown(members, sums))
            assert counts[0] >= FLOOR  # a shown group is never small itself
    groups = {f"atom {p}": [p] for p in atoms}
    groups |= {f"subtree {p}": under(p) for p in totals}
    assert pinned_groups(shown, truth, groups, FLOOR) == []
    # And the company is shown whenever it has enough people at all.
    assert ("10" in hidden) == (0 < totals["10"][0] < FLOOR)
