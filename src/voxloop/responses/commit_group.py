"""New responses stored together: one transaction for all that arrive while one commits.

A commit costs more than the insert before it (SQLite appends every changed page to its log;
PostgreSQL flushes its log to disk), and on SQLite every writer waits for one lock. So when a
thread of this process is committing, responses arriving meanwhile queue; the first of them to
find nobody committing takes the whole queue and commits it in one transaction. A lone
response is one INSERT in autocommit: a single statement is atomic by itself, and BEGIN and
COMMIT around it would be two more statements (two more round trips on PostgreSQL). Each
thread returns only once its own response is committed.

If the shared transaction fails, each response is stored again on its own, so one bad row
fails only its own request.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models import Model

from voxloop import rows


class _Pending:
    __slots__ = ("done", "error", "row")

    def __init__(self, row: Model) -> None:
        self.row = row
        self.done = False
        self.error: BaseException | None = None


_queue: list[_Pending] = []
_turn = threading.Condition()
_committing = False


def store(row: Model) -> None:
    """INSERT a new row, sharing the commit with others arriving at the same time. The caller
    must not be inside a transaction of its own (the row is committed in another thread's)."""
    global _committing
    mine = _Pending(row)
    with _turn:
        _queue.append(mine)
        while _committing and not mine.done:
            _turn.wait()
        leading = not mine.done
        if leading:
            _committing = True
            # The whole queue: it holds at most one row per thread of the process.
            batch = _queue[:]
            _queue.clear()
    if leading:
        try:
            _commit(batch)
        finally:
            with _turn:
                _committing = False
                _turn.notify_all()
    if mine.error is not None:
        raise mine.error


def _commit(batch: list[_Pending]) -> None:
    if len(batch) == 1:
        _alone(batch[0])
        return
    try:
        with transaction.atomic():
            for pending in batch:
                rows.insert(pending.row)
    except Exception:
        for pending in batch:
            _alone(pending)
    else:
        for pending in batch:
            pending.done = True


def _alone(pending: _Pending) -> None:
    row = pending.row
    row.pk, row._state.adding = None, True  # a failed shared transaction may have set them
    try:
        rows.insert(row)
    except Exception as error:
        pending.error = error
    pending.done = True
