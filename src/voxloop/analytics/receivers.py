"""Keep the rollups current: every event that adds, changes, moves or removes responses
enqueues a reconcile of exactly those responses (the work runs in a task, not the request)."""

import threading
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from voxloop.analytics import tasks
from voxloop.handover import RETRY_FOR, Gatherer
from voxloop.responses.models import Response
from voxloop.responses.signals import (
    response_submitted,
    responses_changed,
    responses_expiring,
    responses_imported,
)
from voxloop.tenancy.signals import unit_moved, unit_time_zone_changed

IMPORT_CHUNK = 2000


def _count_together(_key: None, ids: list[int]) -> None:
    for start in range(0, len(ids), IMPORT_CHUNK):
        tasks.reconcile_responses.enqueue(ids[start : start + IMPORT_CHUNK])


# Responses submitted in this process, handed to a worker together: one task per second
# instead of one queue insert per response, which on SQLite would take the write lock
# again for every response. A process that stops before handing them over loses nothing:
# the periodic `count_missed` counts what the ledger lacks. A hand-over that fails (Redis
# restarting) is tried again each second for a while, as the closed loop's: left to the
# sweep, two of them were missing from the dashboard the cluster bench read (decision 0062).
submitted = Gatherer(
    "analytics.count",
    lambda: settings.ANALYTICS_COUNT_DELAY_SECONDS,
    _count_together,
    retry_for=RETRY_FOR,
)


@receiver(response_submitted, dispatch_uid="analytics.count_submitted")
def count_submitted(sender: object, response_id: int, **kwargs: Any) -> None:
    # Already after the commit: the response is there for the worker to read.
    submitted.add(None, response_id)


@receiver(responses_imported, dispatch_uid="analytics.count_imported")
@receiver(responses_changed, dispatch_uid="analytics.count_changed")
def count_batch(sender: object, response_ids: list[int], **kwargs: Any) -> None:
    ids = list(response_ids)
    for start in range(0, len(ids), IMPORT_CHUNK):
        tasks.reconcile_responses.enqueue(ids[start : start + IMPORT_CHUNK])


# Deleted response ids waiting for their transaction to commit, so that deleting many rows
# (an erasure, an organisation) enqueues a few batches, not one task per response.
_deleted = threading.local()


@receiver(post_delete, sender=Response, dispatch_uid="analytics.uncount_deleted")
def uncount_deleted(sender: object, instance: Response, **kwargs: Any) -> None:
    pending = getattr(_deleted, "ids", None)
    if pending is None:
        pending = _deleted.ids = []
    pending.append(instance.pk)
    transaction.on_commit(_flush_deleted)


def _flush_deleted() -> None:
    # The first callback of a commit takes every id; the others find nothing. Ids left from
    # a rolled-back transaction go out with the next commit: reconciling them changes nothing.
    ids, _deleted.ids = getattr(_deleted, "ids", None) or [], None
    for start in range(0, len(ids), IMPORT_CHUNK):
        tasks.reconcile_responses.enqueue(ids[start : start + IMPORT_CHUNK])


@receiver(responses_expiring, dispatch_uid="analytics.keep_expiring")
def keep_expiring(sender: object, response_ids: list[int], **kwargs: Any) -> None:
    # In the deleting transaction, before the rows go: their counts must be archived first.
    from voxloop.analytics import services

    services.keep_counted(response_ids=response_ids)


@receiver(unit_moved, dispatch_uid="analytics.follow_unit_move")
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    # Sent inside the move's transaction: count again once the new paths are committed.
    transaction.on_commit(lambda: tasks.recount_subtree.enqueue(organization_id, new_path))
    transaction.on_commit(lambda: tasks.move_archived.enqueue(organization_id, old_path, new_path))


@receiver(unit_time_zone_changed, dispatch_uid="analytics.follow_time_zone")
def follow_time_zone(sender: object, organization_id: int, path: str, **kwargs: object) -> None:
    # Days and hours under the unit are counted in its zone: count them again.
    transaction.on_commit(lambda: tasks.recount_subtree.enqueue(organization_id, path))
