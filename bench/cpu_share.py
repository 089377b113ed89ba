"""Who used the machine's cores between two moments (Linux /proc), for benches that must say
which resource saturates (issue 22: "or the bench says exactly which resource saturates").

A snapshot holds the machine's busy and total CPU ticks and each process's own ticks; two
snapshots give each named group's share in cores, the whole machine's use, and the rest
(processes outside the groups: another engineer's tests on a shared machine).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1


@dataclass(frozen=True)
class Snapshot:
    busy: int  # ticks of all cores not idle
    total: int
    own: dict[int, tuple[int, int, str]]  # pid -> (parent, ticks, command)


def machine_ticks() -> tuple[int, int, int]:
    """(busy, iowait, total) ticks of all the machine's cores so far."""
    with open("/proc/stat") as stat:
        user, nice, system, idle, iowait, irq, softirq, steal = map(
            int, stat.readline().split()[1:9]
        )
    busy = user + nice + system + irq + softirq + steal
    return busy, iowait, busy + idle + iowait


def snapshot() -> Snapshot:
    busy, _iowait, total = machine_ticks()
    own = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:  # ended meanwhile
                continue
            command, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1]
            parts = rest.split()
            own[int(entry.name)] = (int(parts[1]), int(parts[11]) + int(parts[12]), command)
    return Snapshot(busy=busy, total=total, own=own)


def _tree(roots: Iterable[int], own: dict[int, tuple[int, int, str]]) -> set[int]:
    members, frontier = set(), set(roots)
    while frontier:
        members |= frontier
        frontier = {pid for pid, (parent, _, _) in own.items() if parent in frontier} - members
    return members


def shares(
    before: Snapshot, after: Snapshot, seconds: float, groups: dict[str, Iterable[int]]
) -> dict[str, float]:
    """Cores used by each group (its processes and their children; "postgres" by command
    name) and by everything else, and "machine": all cores' use, between the snapshots."""
    out: dict[str, float] = {}
    seen: set[int] = set()
    for name, roots in groups.items():
        if name == "PostgreSQL":
            pids = {p for p, (_, _, cmd) in after.own.items() if cmd.startswith("postgres")}
        else:
            pids = _tree(roots, after.own)
        pids -= seen
        seen |= pids
        ticks = sum(after.own[p][1] - before.own.get(p, (0, 0, ""))[1] for p in pids)
        out[name] = ticks / TICKS / seconds
    machine = CORES * (after.busy - before.busy) / max(after.total - before.total, 1)
    out["others"] = max(0.0, machine - sum(out.values()))
    out["machine"] = machine
    return out


def verdict(used: dict[str, float], nodes: list[str]) -> str:
    """Which resource saturates: the cores, or (cores to spare) the web nodes' own work."""
    machine = used["machine"]
    busiest = max(nodes, key=lambda n: used.get(n, 0.0))
    if machine >= 0.9 * CORES:
        top = sorted((v, k) for k, v in used.items() if k != "machine")[::-1][:3]
        spent = ", ".join(f"{k} {v:.2f}" for v, k in top)
        return f"the {CORES} cores saturate ({machine:.2f} used; most by {spent})"
    return (
        f"not the cores ({machine:.2f} of {CORES} used): the busiest node, {busiest}, "
        f"used {used.get(busiest, 0.0):.2f} cores"
    )
