"""What a worker does before it takes its first job (decision 0064).

A worker that registers with the queue as soon as Django is set up takes jobs cold: its first
alert paid for loading the whole URL conf (the alert's link to its case; the API's schemas
with it), every language's URL table and catalogue, the task's modules and a database
connection — 1.3 s on a quiet machine, 6 s on the cluster bench's two busy cores, while jobs
it had already taken waited. Paid here, before the worker registers, those jobs wait in Redis
where a worker that is ready (or this one, once ready) takes them.
"""

from __future__ import annotations

import logging
import time

log = logging.getLogger("voxloop.worker")

# The modules of the alert path that no app imports at set-up (the job imports them itself).
ALERT_PATH = (
    "voxloop.closedloop.tasks",
    "voxloop.closedloop.evaluation",
    "voxloop.closedloop.notifications",
    "voxloop.closedloop.messages",
    "django.core.mail.backends.smtp",
)


def warm_up() -> float:
    """Load what a first job would otherwise load; the seconds it took. Never fails: a part
    that cannot be warmed (the database away) is left to the first job, as before."""
    from importlib import import_module

    from django.utils.module_loading import autodiscover_modules

    start = time.monotonic()
    autodiscover_modules("tasks")  # RQ imports a job's function only when it runs it
    for name in ALERT_PATH:
        import_module(name)
    _urls_and_catalogues()
    connect()
    seconds = time.monotonic() - start
    log.info("worker: warmed up in %.2f s", seconds)
    return seconds


def _urls_and_catalogues() -> None:
    """Each language's URL table (built per active language) and translation catalogue: an
    alert is written in its recipient's language, with a link to its case."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            resolver.reverse_dict  # noqa: B018 - the property builds and keeps the table


def connect() -> None:
    """Open this thread's database connection (each thread has its own)."""
    from django.db import connection

    try:
        connection.ensure_connection()
    except Exception as error:  # the database away: the first job connects, as before
        log.warning("worker: no database connection yet (%s)", error)
