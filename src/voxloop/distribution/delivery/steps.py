"""One statement per message: record the message the server just accepted *and* mark the next
one as being handed over (decision 0052).

A batch sends one message at a time. Before message n+1 goes to the server, one UPDATE marks
it handed over (compare-and-set against the batch's claim) and records message n as sent, so a
worker killed at any moment leaves at most one message whose fate is unknown: the one handed
over and not yet recorded. The last message of a batch is recorded alone. A message the
recovery sweep failed as uncertain meanwhile (its batch outlived the lease in the middle of a
send) is still recorded sent when its batch learns the server took it: the sweep keeps the
claim on such rows for that.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from functools import lru_cache
from typing import cast

from django.db import connection as db
from django.db.models import Field

from voxloop.distribution.models import Invitation, InvitationStatus
from voxloop.outages import DATABASE_AWAY, through_database_outage


class Steps:
    """The batch's one message accepted by the server but not yet recorded."""

    def __init__(self, token: str, now: datetime) -> None:
        self.token, self.now = token, now
        self.pending: tuple[int, str] | None = None  # (id, message id)
        self.recorded = 0

    def accepted(self, invitation: Invitation, message_id: str) -> None:
        self.pending = (invitation.pk, message_id)

    def hand_over(self, invitation: Invitation) -> bool:
        """Record the pending message and mark this one handed over, in one statement; False
        when the recovery sweep took this one back (its lease expired)."""
        return invitation.pk in self._advance(invitation.pk)

    def flush(self) -> int:
        """Record the pending message, if any; how many this batch recorded in all."""
        if self.pending is not None:
            self._advance(None)
        return self.recorded

    def _advance(self, hand: int | None) -> set[int]:
        done, message_id = self.pending or (None, "")
        try:
            changed = advance(self.token, done, message_id, hand, self.now)
        except DATABASE_AWAY:  # the server went away, not a bad statement
            if done is not None or hand is not None:
                self._settle_when_back(hand)
            raise
        if done is not None:
            self.recorded += done in changed
            self.pending = None
        return changed

    def _settle_when_back(self, hand: int | None) -> None:
        """The database went away between two messages: keep trying for a while (a restart
        takes seconds; recorded late is better than failed as uncertain) to record the
        accepted one, and to take back the hand-over of the next, which was never sent (the
        statement may have committed though its answer was lost: the cluster bench's
        PostgreSQL cut left such a message failed as uncertain, decision 0065). Then give up:
        the sweep fails what is still handed over."""

        def settle() -> None:
            if self.pending is not None:
                done, message_id = self.pending
                self.recorded += done in advance(self.token, done, message_id, None, self.now)
                self.pending = None
            if hand is not None:
                _take_back(self.token, hand)

        with contextlib.suppress(*DATABASE_AWAY):
            through_database_outage(settle, name="send batch")


def _take_back(token: str, hand: int) -> None:
    """Undo the hand-over of a message this batch has not sent: it goes back to the queue with
    the batch's other unsent claims, instead of being failed as uncertain."""
    Invitation.objects.filter(
        pk=hand, claim=token, status=InvitationStatus.SENDING, handed_at__isnull=False
    ).update(handed_at=None)


def advance(
    token: str, done: int | None, message_id: str, hand: int | None, now: datetime
) -> set[int]:
    """Which of `done` (recorded sent) and `hand` (marked handed over) the statement changed
    (`RETURNING`: PostgreSQL, SQLite from 3.35)."""
    from django.utils import timezone

    sending, failed = InvitationStatus.SENDING, InvitationStatus.FAILED
    params = [
        *(done, InvitationStatus.SENT),
        *(done, now),
        *(done, now),
        done,
        done,
        *(done, message_id),
        done,
        *(hand, timezone.now()),
        token,
        *(done, sending, failed),
        *(hand, sending),
    ]
    with db.cursor() as cursor:
        cursor.execute(_advance_sql(), params)
        return {row[0] for row in cursor.fetchall()}


@lru_cache(maxsize=1)
def _advance_sql() -> str:
    """The statement, written once (building it through the ORM cost as much as the round
    trip); CASE picks the row each column change is for."""
    meta = Invitation._meta

    def col(name: str) -> str:
        return db.ops.quote_name(str(cast(Field, meta.get_field(name)).column))

    pk, status, claim, handed = col("id"), col("status"), col("claim"), col("handed_at")

    def on_done(name: str, value: str) -> str:
        return f"{col(name)} = CASE WHEN {pk} = %s THEN {value} ELSE {col(name)} END"

    sets = [
        on_done("status", "%s"),
        on_done("sent_at", "%s"),
        on_done("last_sent_at", "%s"),
        on_done("attempts", f"{col('attempts')} + 1"),
        on_done("error", "''"),
        on_done("message_id", "%s"),
        on_done("claim", "''"),
        f"{handed} = CASE WHEN {pk} = %s THEN %s ELSE {handed} END",
    ]
    table = db.ops.quote_name(meta.db_table)
    return (
        f"UPDATE {table} SET {', '.join(sets)} WHERE {claim} = %s AND ("  # noqa: S608 - names only
        f"({pk} = %s AND {status} IN (%s, %s)) "
        f"OR ({pk} = %s AND {status} = %s AND {handed} IS NULL)) RETURNING {pk}"
    )
