"""Which units of the tree may show an anonymous survey's figures for one month (pure).

The rule every anonymous figure obeys (decision 0016): the respondents of one survey in one
month are split into *blocks*, disjoint groups each holding nobody or at least `floor`
people for every count a figure is made of (respondents, and those who answered the NPS,
CSAT and CES questions). A unit's figures are shown only when its subtree is a whole number
of blocks. Everything an attacker can add or subtract from shown figures — a parent minus
its visible children, one period minus another, a survey's total minus the rest — is then a
union of whole blocks: nobody, or at least `floor` people. No smaller group can be solved for.

Blocks are formed bottom-up over the unit tree. At each unit, what is left over (the
answers placed at the unit itself and the small subtrees of its children) is:
- nothing, or a safe group: it closes a block there, and the unit is shown;
- too small: it is merged with the nearest, then smallest blocks already closed inside the
  subtree until the merge is safe (complementary suppression: those blocks' units are hidden
  as well, from where they were closed up to this unit), and the unit is shown;
- too small with nothing to merge with (the whole subtree is under the floor): the unit is
  hidden and passes what is left to its parent.

Input is what the rollups hold per node: the sums over the node's whole subtree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The counts of a rollup row that a figure can be made of; each must be 0 or ≥ floor.
SAFETY_FIELDS = ("n", "nps_n", "csat_n", "ces_n")

Vector = tuple[int, ...]


def is_safe(vector: Sequence[int], floor: int) -> bool:
    return all(v == 0 or v >= floor for v in vector)


def _add(a: Sequence[int], b: Sequence[int], sign: int = 1) -> Vector:
    return tuple(x + sign * y for x, y in zip(a, b, strict=True))


@dataclass
class _Block:
    counts: Vector
    home: str  # the node at which the block was closed
    merged: bool = False


def hidden_nodes(subtotals: Mapping[str, Sequence[int]], floor: int, width: int) -> set[str]:
    """The nodes whose figures must not be shown. `subtotals` maps every node with answers
    (and each of its ancestors) to the sums of its whole subtree; `width` is the length of
    one path segment, so a node's parent is its path without the last segment."""
    paths = sorted(subtotals, key=lambda p: (-len(p), p))  # children before their parent
    children: dict[str, list[str]] = {p: [] for p in paths}
    for path in paths:
        parent = path[:-width]
        if parent in children:
            children[parent].append(path)
    zero = tuple(0 for _ in next(iter(subtotals.values()), ()))
    pending: dict[str, Vector] = {}  # what a hidden node passes up to its parent
    inside: dict[str, list[_Block]] = {}  # blocks closed strictly below each node, and at it
    hidden: set[str] = set()
    for path in paths:
        own = tuple(subtotals[path])
        for child in children[path]:
            own = _add(own, subtotals[child], -1)
        left = own
        blocks: list[_Block] = []
        for child in children[path]:
            left = _add(left, pending.get(child, zero))
            blocks.extend(b for b in inside.pop(child, ()) if not b.merged)
        if any(left):
            if is_safe(left, floor):
                blocks.append(_Block(left, path))
            elif not _merge_below(path, left, blocks, floor, width, hidden):
                hidden.add(path)
                pending[path] = left
        inside[path] = blocks
    return hidden


def _merge_below(
    path: str, left: Vector, blocks: list[_Block], floor: int, width: int, hidden: set[str]
) -> bool:
    """Merge `left` with the nearest, smallest blocks closed below `path` until it is safe;
    False (and nothing changed) when even all of them are not enough."""
    candidates = sorted(blocks, key=lambda b: (len(b.home), b.counts[0], b.home))
    merged, used = left, []
    for block in candidates:
        merged = _add(merged, block.counts)
        used.append(block)
        if is_safe(merged, floor):
            break
    else:
        return False
    for block in used:
        block.merged = True
        node = block.home
        while len(node) > len(path):  # from where it was closed up to (not including) here
            hidden.add(node)
            node = node[:-width]
    blocks[:] = [b for b in blocks if not b.merged]
    blocks.append(_Block(merged, path))
    return True
