"""Where a slow alert's time went, from the database's own timestamps (issue 22).

For every detractor: the response's `submitted_at`, the moment its evaluation job reached it
(`Evaluated.at`, the job's clock for that response), when its alert was claimed (the claim
sets `run_after` to its time plus the lease: `run_after - lease` of the last claim), when it
was recorded sent (`sent_at`) and when the SMTP server took it (the bench's mailbox). Each
alert is put in the fault phase it was submitted in. An alert submitted while the SMTP server
was stopped cannot arrive before it is back, nor be evaluated while PostgreSQL is cut: its
latency *net* of those windows is the time it took beyond the outages, the one the goal holds
it to (the raw figure is printed too).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import timedelta

GOAL = 2.0  # seconds, p99


@dataclass
class Trace:
    marker: str
    submitted: float
    evaluated: float | None
    claimed: float | None
    sent: float | None
    arrived: float | None
    attempts: int
    error: str

    @property
    def total(self) -> float | None:
        return None if self.arrived is None else self.arrived - self.submitted

    def stages(self) -> tuple[float | None, ...]:
        """To evaluation, evaluation to claim, claim to recorded sent, sent to arrival."""
        points = [self.submitted, self.evaluated, self.claimed, self.sent, self.arrived]
        return tuple(
            None if a is None or b is None else b - a for a, b in itertools.pairwise(points)
        )


def traces(detractors: dict[str, int], arrived: dict[str, float]) -> list[Trace]:
    """One trace per detractor (marker → response id), from the database and the mailbox."""
    from voxloop.closedloop import notifications
    from voxloop.closedloop.models import Evaluated, Notification
    from voxloop.responses.models import Response

    ids = list(detractors.values())
    submitted = dict(Response.objects.filter(pk__in=ids).values_list("pk", "submitted_at"))
    evaluated = dict(Evaluated.objects.filter(pk__in=ids).values_list("pk", "at"))
    lease = getattr(notifications, "ALERT_LEASE", notifications.LEASE)
    rows = Notification.objects.filter(case__response_id__in=ids, channel="email").values_list(
        "case__response_id", "run_after", "sent_at", "attempts", "last_error", "status"
    )
    sends = {}
    for pk, run_after, sent_at, attempts, error, status in rows:
        # The last claim set run_after to its time plus a lease: the alerts' short one (a
        # batch, or those resent together once the SMTP server is back), else the ordinary.
        claimed = None
        if status == "sent":
            claimed = run_after - lease
            if not timedelta(0) <= sent_at - claimed <= lease:
                claimed = run_after - notifications.LEASE
        sends[pk] = (claimed, sent_at, attempts, error)
    out = []
    for marker, pk in detractors.items():
        if pk not in submitted:
            continue
        claimed, sent_at, attempts, error = sends.get(pk, (None, None, 0, ""))
        out.append(
            Trace(
                marker=marker,
                submitted=submitted[pk].timestamp(),
                evaluated=evaluated[pk].timestamp() if pk in evaluated else None,
                claimed=claimed.timestamp() if claimed else None,
                sent=sent_at.timestamp() if sent_at else None,
                arrived=arrived.get(marker),
                attempts=attempts,
                error=error,
            )
        )
    return out


def phases(faults: dict[str, float], ended: float) -> list[tuple[str, float, float]]:
    """The fault phases by submission time; the last runs to the end of the drain."""
    marks = [
        ("start-up (10 s)", 0.0),  # the workers' first jobs: imports, first connections
        ("before faults", faults["start"] + 10),
        ("web1 killed", faults["kill -9 web1"]),
        ("worker killed", faults["kill -9 worker"]),
        ("Redis restart", faults["restart Redis"]),
        ("PostgreSQL cut", faults["cut PostgreSQL"]),
        ("SMTP stopped", faults["stop SMTP"]),
        ("after SMTP back", faults["SMTP back"]),
        ("flood", faults["flood"]),
        ("after flood", faults["flood over"]),
    ]
    ends = [start for _, start in marks[1:]] + [ended + 10**6]
    return [(name, start, end) for (name, start), end in zip(marks, ends, strict=True)]


def outages(faults: dict) -> list[tuple[float, float]]:
    """The windows no alert can go out in: the SMTP server stopped, and PostgreSQL cut
    (nothing can be evaluated or recorded without the database)."""
    return [
        (faults["stop SMTP"], faults["SMTP back"]),
        (faults["cut PostgreSQL"], faults["PostgreSQL back"]),
    ]


def excused(trace: Trace, windows: list[tuple[float, float]]) -> float:
    """The part of the alert's latency the outages took."""
    if trace.arrived is None:
        return 0.0
    arrived, submitted = trace.arrived, trace.submitted
    return sum(max(0.0, min(up, arrived) - max(down, submitted)) for down, up in windows)


def _ms(values: list[float]) -> str:
    from bench.common import percentile

    if not values:
        return "      -      "
    middle = percentile(values, 50) if len(values) > 1 else values[0]
    return f"{middle:6.1f}/{max(values):6.1f}"


def _p99(values: list[float]) -> float:
    from bench.common import percentile

    return percentile(values, 99) if len(values) > 1 else values[0]


def report(detractors: dict[str, int], arrived: dict[str, float], faults: dict, ended: float):
    """Print the breakdown; the alerts' p99 net of the SMTP window (None if too few)."""
    from bench.common import percentile

    found = traces(detractors, arrived)
    windows = outages(faults)
    print(
        f"\n== alert tail (goal p99 <= {GOAL:.0f} s): seconds, median/max over the slow "
        f"alerts (> {GOAL:.0f} s) of each stage; net = latency minus the SMTP outage and the "
        f"PostgreSQL cut"
    )
    print(
        "phase             alerts  slow  p99 raw  p99 net   to evaluation  eval->claim "
        " claim->sent   sent->SMTP  retried"
    )
    nets = []
    for name, start, end in phases(faults, ended):
        inside = [t for t in found if start <= t.submitted < end and t.total is not None]
        if not inside:
            continue
        net = [t.total - excused(t, windows) for t in inside]
        nets += net
        slow = [t for t, n in zip(inside, net, strict=True) if n > GOAL]
        columns = []
        for stage in range(4):
            columns.append(_ms([s for t in slow if (s := t.stages()[stage]) is not None]))
        retried = sum(1 for t in inside if t.attempts > 1)
        raw99 = _p99([t.total for t in inside])
        print(
            f"{name:17} {len(inside):6} {len(slow):5} {raw99:8.2f} {_p99(net):8.2f} "
            f"{'  '.join(columns)} {retried:8}"
        )
    never = [t for t in found if t.arrived is None]
    if never:
        print(f"not alerted (yet): {len(never)}")
    slowest = sorted(
        (t for t in found if t.total is not None),
        key=lambda t: t.total - excused(t, windows),
        reverse=True,
    )[:8]
    print("slowest (s): total, net; to evaluation, eval->claim, claim->sent, sent->SMTP; tries")
    for t in slowest:
        stages = ", ".join("-" if s is None else f"{s:.2f}" for s in t.stages())
        print(
            f"  {t.marker:16} {t.total:6.2f} {t.total - excused(t, windows):6.2f};"
            f" {stages}; {t.attempts} {t.error[:60]}"
        )
    if len(nets) < 3:
        return None
    p99 = percentile(nets, 99)
    lengths = " and ".join(f"{up - down:.1f} s" for down, up in windows)
    print(
        f"alert p99 net of the SMTP outage and the PostgreSQL cut ({lengths}): {p99:.2f} s "
        f"({'met' if p99 <= GOAL else 'not met'}; an alert submitted during an outage is "
        f"excused only for the time the outage lasted)"
    )
    raw = [t.total for t in found if t.total is not None]
    print(f"alert p99 raw, every outage included: {percentile(raw, 99):.2f} s")
    return p99
