"""A thread in each worker process that enqueues periodic tasks when due."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from voxloop.schedule import services
from voxloop.schedule.registry import registered

log = logging.getLogger(__name__)


def tick_for(tick_seconds: float) -> float:
    """The clock's tick: the setting, but at least twice per shortest period. A task due
    every 15 s on a 10-s tick ran every 20 s (decision 0062)."""
    shortest = min((p.interval.total_seconds() for p in registered()), default=tick_seconds)
    return min(tick_seconds, shortest / 2)


def start(tick_seconds: float) -> threading.Event:
    """Start the clock (`tick_for` the setting); set the returned event to stop it."""
    stop = threading.Event()
    tick_seconds = tick_for(tick_seconds)

    def run() -> None:
        while not stop.is_set():
            try:
                services.enqueue_due()
            except Exception:  # a database hiccup must not stop the clock for good
                log.exception("periodic tasks: could not enqueue; trying again")
            finally:
                close_old_connections()
            stop.wait(tick_seconds)

    threading.Thread(target=run, name="voxloop-clock", daemon=True).start()
    return stop
