"""Analyse every new comment in the background: submitted responses are gathered per process
for TEXT_ANALYSE_DELAY_SECONDS and handed to a worker in batches (one queue write per
batch, not per response). An edited answer is analysed again; a response that is never
handed over (a process killed in between) is found by `voxloop text backfill`."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import connections
from django.dispatch import receiver

from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted, responses_changed, responses_imported

BATCH = 500
log = logging.getLogger(__name__)

_pending: list[int] = []
_pending_lock = threading.Lock()
_timer: threading.Timer | None = None


def _enqueue(ids: list[int], fresh: bool = False) -> None:
    from voxloop.textanalytics.tasks import analyse_responses

    for start in range(0, len(ids), BATCH):
        analyse_responses.enqueue(ids[start : start + BATCH], fresh=fresh)


@receiver(response_submitted, dispatch_uid="textanalytics.analyse_submitted")
def analyse_submitted(
    sender: object, response_id: int, response: Response | None = None, **kwargs: Any
) -> None:
    global _timer
    if response is not None and not _has_text(response.answers):
        return  # nothing to read: most responses carry no comment
    delay = settings.TEXT_ANALYSE_DELAY_SECONDS
    if delay <= 0:
        _enqueue([response_id], fresh=True)
        return
    with _pending_lock:
        _pending.append(response_id)
        if _timer is None:
            _timer = threading.Timer(delay, hand_over)
            _timer.daemon = True
            _timer.start()


def _has_text(answers: dict[str, Any] | None) -> bool:
    return any(
        isinstance(v, str) and v.strip() and not v.isdigit() for v in (answers or {}).values()
    )


def hand_over() -> None:
    global _timer
    with _pending_lock:
        ids = list(_pending)
        _pending.clear()
        _timer = None
    try:
        _enqueue(ids, fresh=True)
    except Exception:  # backfill finds them; the timer thread must not die loudly
        log.exception("textanalytics: could not enqueue the analysis of %d responses", len(ids))
    finally:
        if threading.current_thread() is not threading.main_thread():
            connections.close_all()


@receiver(responses_imported, dispatch_uid="textanalytics.analyse_imported")
@receiver(responses_changed, dispatch_uid="textanalytics.analyse_changed")
def analyse_batch(sender: object, response_ids: list[int], **kwargs: Any) -> None:
    _enqueue(list(response_ids))
