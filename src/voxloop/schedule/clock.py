"""A thread in each worker process that enqueues periodic tasks when due."""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections

from voxloop.schedule import services

log = logging.getLogger(__name__)


def start(tick_seconds: float) -> threading.Event:
    """Start the clock; set the returned event to stop it."""
    stop = threading.Event()

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
