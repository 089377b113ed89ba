"""A moment's outage of the database or Redis: the errors that name it (`AWAY`), and work that
waits a database outage out instead of failing (decision 0065).

A PostgreSQL restart or a cut network takes seconds. A job that fails in those seconds is
otherwise found again only by a sweep, 10–60 s later: on the cluster bench the detractor
alert submitted as PostgreSQL was cut arrived 23 s late while every other alert of that
phase took under 1 s. Work that is safe to run again (it is idempotent, or its transaction
was rolled back) is tried again here, on a fresh connection, for as long as an outage that
is worth waiting for lasts; after that the error goes on to the sweeps as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

log = logging.getLogger(__name__)
T = TypeVar("T")
DATABASE_AWAY: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
PAUSE = 0.5  # seconds between tries: a restarted server answers within a second or two
# How long an outage is worth waiting for in a job: a restart takes seconds; past this the
# sweeps take over (the RQ job timeout, 600 s, is far off).
WAIT_SECONDS = 30.0


def through_database_outage(
    work: Callable[[], T], *, name: str, for_seconds: float = WAIT_SECONDS
) -> T:
    """`work()`, tried again every PAUSE seconds while the database is away, until
    `for_seconds` have passed since the first failure; then that failure is raised."""
    deadline: float | None = None
    while True:
        try:
            return work()
        except DATABASE_AWAY as error:
            now = time.monotonic()
            deadline = deadline if deadline is not None else now + for_seconds
            if now >= deadline:
                raise
            log.warning("%s: database away (%s); trying again", name, type(error).__name__)
        _drop_broken_connections()
        time.sleep(PAUSE)


def _drop_broken_connections() -> None:
    # A connection that saw the server go is useless; the next query opens a new one. One
    # inside a transaction is its owner's to close (a test's, or a caller's atomic block).
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def _service_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # the redis extra is not installed
        return DATABASE_AWAY
    return (*DATABASE_AWAY, RedisConnectionError, RedisTimeoutError)


# A moment's outage of the database or Redis, as a request or a job meets it: answered 503
# with Retry-After by the web nodes (`web.unavailable`), never a traceback.
AWAY = _service_errors()
