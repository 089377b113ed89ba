"""When demo feedback arrives: twelve months before a fixed anchor, with the weekday, hour and
season patterns each touchpoint really has (stores peak on Saturdays and late afternoons,
support on weekday office hours, the employee pulse in the first week of each month)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

DAYS = 365
DECLINE_DAYS = 90

# Monday … Sunday
WEEKDAYS = {
    "store": (0.11, 0.11, 0.12, 0.13, 0.16, 0.24, 0.13),
    "relationship": (0.16, 0.18, 0.18, 0.17, 0.14, 0.09, 0.08),
    "support": (0.2, 0.21, 0.21, 0.2, 0.17, 0.005, 0.005),
    "pulse": (0.2, 0.21, 0.21, 0.2, 0.16, 0.01, 0.01),
}
# first local hour → weight of that hour and each one after it
HOURS = {
    "store": (9, (3, 5, 7, 10, 9, 7, 8, 11, 13, 11, 6, 3)),
    "relationship": (7, (3, 5, 6, 5, 4, 6, 5, 4, 4, 4, 5, 6, 8, 9, 7, 3)),
    "support": (8, (4, 9, 11, 11, 7, 8, 10, 10, 9, 6, 2)),
    "pulse": (9, (6, 8, 7, 4, 5, 7, 7, 5, 3)),
}
# Shoppers come more before Christmas and less in January.
STORE_SEASON = dict(enumerate((0.8, 0.85, 0.95, 1, 1, 1, 1.05, 1.05, 0.95, 1, 1.2, 1.45), start=1))


def default_anchor() -> datetime:
    """Today at midnight UTC: the same demo all day for a given seed."""
    today = datetime.now(UTC).date()
    return datetime(today.year, today.month, today.day, tzinfo=UTC)


@dataclass(frozen=True)
class Moment:
    at: datetime  # UTC
    day_index: int  # 0 = a year before the anchor, DAYS - 1 = the day before
    weekday: int  # local, Monday = 0
    hour: int  # local

    @property
    def busy(self) -> bool:
        """Saturday or the after-work rush: queues, stretched staff."""
        return self.weekday == 5 or 16 <= self.hour <= 18

    @property
    def decline(self) -> float:
        """0 before the last three months, then rising to 1 on the day before the anchor."""
        start = DAYS - DECLINE_DAYS
        return max(0.0, (self.day_index - start + 1) / DECLINE_DAYS)


class Clock:
    """Draws plausible local moments for a touchpoint and returns them in UTC."""

    def __init__(self, anchor: datetime) -> None:
        self.first_day: date = (anchor - timedelta(days=DAYS)).date()
        self.days = [self.first_day + timedelta(days=i) for i in range(DAYS)]
        self.day_weights = {name: self._day_weights(name) for name in WEEKDAYS}
        self.hour_weights = {
            name: (list(range(first, first + len(weights))), list(accumulate(weights)))
            for name, (first, weights) in HOURS.items()
        }
        self.zones: dict[str, ZoneInfo] = {}

    def _day_weights(self, profile: str) -> list[float]:
        weights = []
        for index, day in enumerate(self.days):
            weight = WEEKDAYS[profile][day.weekday()] * (0.85 + 0.3 * index / DAYS)
            if profile == "store":
                weight *= STORE_SEASON[day.month]
            if profile == "pulse" and day.day > 7:
                weight *= 0.03  # late answers to the monthly invitation
            weights.append(weight)
        return list(accumulate(weights))

    def draw(self, rng: random.Random, profile: str, timezone: str) -> Moment:
        index = rng.choices(range(DAYS), cum_weights=self.day_weights[profile])[0]
        hours, cumulative = self.hour_weights[profile]
        hour = rng.choices(hours, cum_weights=cumulative)[0]
        day = self.days[index]
        zone = self.zones.get(timezone) or self.zones.setdefault(timezone, ZoneInfo(timezone))
        local = datetime(
            day.year, day.month, day.day, hour, rng.randrange(60), rng.randrange(60), tzinfo=zone
        )
        return Moment(local.astimezone(UTC), index, day.weekday(), hour)
