"""The dashboard's KPI (with the previous period), trend and unit questions, answered by DuckDB
and by pandas straight from an export of the same raw responses (bench/dashboard.py)."""

from __future__ import annotations

from typing import Any

import duckdb

from bench.dashboard_data import DAYS

WIDTH = {"day": 1, "week": 7, "month": 30}
PERIOD_DAYS = {"90d": 90, "365d": 365}
_connections: dict[int, Any] = {}


def _scope(feedback, persona: str) -> tuple[str, Any, str | None]:
    """SQL filter, pandas mask and the column of the children shown, for a persona."""
    region = feedback.stores[0].parent_id  # build_benchmark_org's people sit at the first ones
    if persona == "store":
        return "store = 0", lambda r: r.store == 0, None
    if persona == "regional":
        return f"region = {int(region)}", lambda r: r.region == region, "store"
    return "TRUE", lambda r: r.nps >= 0, "country"


def baseline_ops(org, feedback, persona: str, period: str, grain: str):
    raw = feedback.raw
    con = _connections.get(id(raw))
    if con is None:
        con = _connections[id(raw)] = duckdb.connect()
        con.register("raw", raw)
    where, mask_of, children = _scope(feedback, persona)
    days = PERIOD_DAYS[period]
    hi = DAYS - 1
    lo = hi - days + 1
    width = WIDTH[grain]

    def sql(group: str | None, low: int, high: int) -> str:
        g = f"{group}, " if group else ""
        tail = f" GROUP BY {group}" if group else ""
        # Every part is a constant or an integer of this benchmark's own making.
        return (
            f"SELECT {g}count(*), sum((nps >= 9)::INT), sum((nps <= 6)::INT), "  # noqa: S608
            f"sum(csat), sum(comment::INT) FROM raw "
            f"WHERE {where} AND day BETWEEN {low} AND {high}{tail}"
        )

    def duck():
        out = [
            con.execute(sql(None, lo, hi)).fetchall(),
            con.execute(sql(None, lo - days, lo - 1)).fetchall(),
            con.execute(sql(f"day // {width}", lo, hi)).fetchall(),
        ]
        if children:
            out.append(con.execute(sql(children, lo, hi)).fetchall())
        return out

    def summary(frame):
        return (len(frame), int((frame.nps >= 9).sum()), int((frame.nps <= 6).sum()))

    def agg(frame, by):
        return frame.assign(p=frame.nps >= 9, d=frame.nps <= 6).groupby(by)[["p", "d"]].sum()

    def pandas_op():
        scoped = raw[mask_of(raw)]
        now = scoped[(scoped.day >= lo) & (scoped.day <= hi)]
        before = scoped[(scoped.day >= lo - days) & (scoped.day < lo)]
        out = [summary(now), summary(before), agg(now, now.day // width)]
        if children:
            out.append(agg(now, children))
        return out

    return duck, pandas_op
