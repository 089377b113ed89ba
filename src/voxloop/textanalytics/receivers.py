"""Analyse every new comment in the background: submitted responses are gathered per process
for TEXT_ANALYSE_DELAY_SECONDS and handed to a worker in batches (one queue write per
batch, not per response). An edited answer is analysed again; a response that is never
handed over (a process killed in between) is found by `voxloop text backfill`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.dispatch import receiver

from voxloop.handover import RETRY_FOR, Gatherer
from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted, responses_changed, responses_imported

BATCH = 500


def _enqueue(ids: list[int], fresh: bool = False) -> None:
    from voxloop.textanalytics.tasks import analyse_responses

    for start in range(0, len(ids), BATCH):
        analyse_responses.enqueue(ids[start : start + BATCH], fresh=fresh)


# A hand-over that fails (the queue away) is tried again for a while: no sweep finds these
# but `voxloop text backfill` (decision 0062).
submitted = Gatherer(
    "textanalytics.analyse",
    lambda: settings.TEXT_ANALYSE_DELAY_SECONDS,
    lambda _key, ids: _enqueue(ids, fresh=True),
    retry_for=RETRY_FOR,
)


@receiver(response_submitted, dispatch_uid="textanalytics.analyse_submitted")
def analyse_submitted(
    sender: object, response_id: int, response: Response | None = None, **kwargs: Any
) -> None:
    if response is not None and not _has_text(response.answers):
        return  # nothing to read: most responses carry no comment
    submitted.add(None, response_id)


def _has_text(answers: dict[str, Any] | None) -> bool:
    return any(
        isinstance(v, str) and v.strip() and not v.isdigit() for v in (answers or {}).values()
    )


@receiver(responses_imported, dispatch_uid="textanalytics.analyse_imported")
@receiver(responses_changed, dispatch_uid="textanalytics.analyse_changed")
def analyse_batch(sender: object, response_ids: list[int], **kwargs: Any) -> None:
    _enqueue(list(response_ids))
