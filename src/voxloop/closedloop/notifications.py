"""Every notification is a row first and a delivery second, so nothing is lost or sent twice.

1. `queue` inserts a Notification; a unique constraint (subject, purpose, channel, recipient)
   makes a second evaluation of the same response a no-op.
2. `deliver` claims the row with one conditional UPDATE (pending and due → leased for a few
   minutes), sends it, and marks it sent. Two workers can never both claim it, and a worker
   killed mid-send leaves it pending: once the lease runs out the sweep sends it again.
3. A failure records the error and moves `run_after` along an exponential backoff; the retry
   is enqueued for then, and the periodic sweep catches any retry whose enqueue was lost.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from voxloop import outbound
from voxloop.closedloop.models import Case, Notification, NotificationStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from voxloop.responses.models import Response

# A first retry after 5 s (30 s before decision 0057: an alert held back by an SMTP server
# stopped for 12 s arrived 30-60 s late); three more attempts keep the last about as far out.
MAX_ATTEMPTS = 11
FIRST_RETRY = timedelta(seconds=5)
LONGEST_RETRY = timedelta(hours=1)
LEASE = timedelta(minutes=5)
# The alerts an evaluation job claims together (decision 0057): a short lease, so those of a
# worker killed while sending go out with the sweep seconds later, not minutes. The job starts
# no send later than ALERT_SEND_WINDOW after its claim: the one in flight then has the rest of
# the lease (20 s) to finish, each SMTP exchange bounded by EMAIL_TIMEOUT (15 s by default).
ALERT_LEASE = timedelta(seconds=30)
ALERT_SEND_WINDOW = timedelta(seconds=10)
HTTP_TIMEOUT = 10
SIGNATURE_HEADER = "X-Voxloop-Signature"
TIMESTAMP_HEADER = "X-Voxloop-Timestamp"
DELIVERY_HEADER = "X-Voxloop-Delivery"
SIGNATURE_TOLERANCE = 300  # seconds: an older signed request is a replay


def queue(
    *,
    organization_id: int,
    about: str,
    key: str,
    channel: str,
    recipient: str,
    subject: str = "",
    body: str = "",
    payload: dict[str, Any] | None = None,
    secret: str = "",
    case: Case | None = None,
    response: Response | None = None,
    user: User | None = None,
    run_after: datetime | None = None,
    now: datetime | None = None,
) -> tuple[Notification, bool]:
    """The notification for this subject, purpose, channel and recipient; (row, created)."""
    now = now or timezone.now()
    identity = {
        "organization_id": organization_id,
        "about": about,
        "key": key,
        "channel": channel,
        "recipient": recipient[:500],
    }
    try:
        with transaction.atomic():
            row = Notification.objects.create(
                **identity,
                case=case,
                response=response,
                recipient_user=user,
                subject=subject[:255],
                body=body,
                payload=payload or {},
                secret=secret,
                run_after=run_after or now,
                created_at=now,
            )
            return row, True
    except IntegrityError:
        return Notification.objects.get(**identity), False


def backoff(attempts: int) -> timedelta:
    """5 s, 10 s, 20 s, … capped at an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def claim(notification_id: int, now: datetime) -> Notification | None:
    """Take the row for sending if it is pending and due; None when someone else has it."""
    taken = claim_many([notification_id], now)
    return taken[0] if taken else None


def claim_many(
    notification_ids: list[int], now: datetime, lease: timedelta = LEASE, waiting: bool = False
) -> list[Notification]:
    """Take those of these rows that are pending and due for `lease`, in one statement that
    also reads them back (RETURNING: PostgreSQL, SQLite 3.35+); an evaluation job claims its
    batch's alerts at once (decision 0054). In the order given. `waiting`: rows waiting for
    a retry, due or not. A claim clears the last error, so a row under someone's claim is
    never one waiting for a retry (decision 0057)."""
    if not notification_ids:
        return []
    at = connection.ops.adapt_datetimefield_value
    marks = ", ".join(["%s"] * len(notification_ids))
    due = "last_error <> ''" if waiting else "run_after <= %s"
    sql = (  # the table's name is ours; the values are parameters
        f"UPDATE {Notification._meta.db_table} SET run_after = %s, last_error = '' "  # noqa: S608
        f"WHERE id IN ({marks}) AND status = %s AND {due} RETURNING *"
    )
    params = [at(now + lease), *notification_ids, NotificationStatus.PENDING.value]
    if not waiting:
        params.append(at(now))
    taken = {row.pk: row for row in Notification.objects.raw(sql, params)}
    return [taken[pk] for pk in notification_ids if pk in taken]


def deliver(notification_id: int, now: datetime | None = None, mailer: Mailer | None = None) -> str:
    """Send one notification if it is due; the resulting status ('sent', 'pending' with a
    retry scheduled, 'failed' after the last attempt, or 'skipped' when not due/claimed).
    `mailer`: an SMTP session shared with the other emails of the same job."""
    now = now or timezone.now()
    row = claim(notification_id, now)
    if row is None:
        return "skipped"
    outcome = deliver_claimed(row, now, mailer)
    if outcome == NotificationStatus.SENT and _is_email(row):
        email_went_through(retried=bool(row.attempts))
    return outcome


def email_went_through(*, retried: bool = False) -> int:
    """After an email went through: if it was a retry, or this process saw the SMTP server
    unreachable, the server is back, and the emails it turned away, each waiting for its own
    retry (up to twice as long as the server was away), go now (decision 0057); how many."""
    if not (retried or _unreachable_seen.is_set()):
        return 0
    _unreachable_seen.clear()
    return resend_waiting(timezone.now())


# The errors of an SMTP server that could not be reached at all (not of one message).
UNREACHABLE = (
    "ConnectionRefusedError",
    "ConnectionResetError",
    "ConnectionAbortedError",
    "SMTPConnectError",
    "SMTPServerDisconnected",
    "TimeoutError",
)


# Set when an email of this process failed to reach the SMTP server, so that the next one that
# goes through (a fresh alert comes sooner than any retry) sends the others waiting.
_unreachable_seen = threading.Event()


def _is_email(row: Notification) -> bool:
    return row.channel == Notification.Channel.EMAIL


def resend_waiting(now: datetime, limit: int = 200) -> int:
    """Send the emails waiting for a retry because the SMTP server could not be reached, in
    one session, claimed as an evaluation job claims its alerts; the number sent."""
    unreachable = Q()
    for name in UNREACHABLE:
        unreachable |= Q(last_error__startswith=f"{name}:")
    ids = list(
        Notification.objects.filter(
            unreachable, status=NotificationStatus.PENDING, channel=Notification.Channel.EMAIL
        )
        .order_by("run_after")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    with Mailer() as mailer:
        began = time.monotonic()
        for row in claim_many(ids, now, lease=ALERT_LEASE, waiting=True):
            if time.monotonic() - began > ALERT_SEND_WINDOW.total_seconds():
                break  # the rest once their claim has run out, with the sweep
            sent += deliver_claimed(row, now, mailer) == NotificationStatus.SENT
    return sent


def deliver_claimed(row: Notification, now: datetime, mailer: Mailer | None = None) -> str:
    """Send a row this worker has claimed (its lease from `now`) and record the outcome."""
    try:
        send(row, mailer)
    except outbound.RefusedDestination as error:  # retrying cannot help
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.FAILED, attempts=row.attempts + 1, last_error=str(error)
        )
        return NotificationStatus.FAILED
    except Exception as error:  # any provider failure: record it and retry later
        return _failed(row, error, now)
    Notification.objects.filter(pk=row.pk).update(
        status=NotificationStatus.SENT,
        sent_at=timezone.now(),
        attempts=row.attempts + 1,
        last_error="",
    )
    return NotificationStatus.SENT


def _failed(row: Notification, error: Exception, now: datetime) -> str:
    attempts = row.attempts + 1
    message = f"{type(error).__name__}: {error}"[:500]
    if type(error).__name__ in UNREACHABLE and _is_email(row):
        _unreachable_seen.set()
    if attempts >= MAX_ATTEMPTS:
        Notification.objects.filter(pk=row.pk).update(
            status=NotificationStatus.FAILED, attempts=attempts, last_error=message
        )
        return NotificationStatus.FAILED
    retry_at = now + backoff(attempts)
    Notification.objects.filter(pk=row.pk).update(
        attempts=attempts, last_error=message, run_after=retry_at
    )
    from voxloop.closedloop.tasks import deliver_notification, urgent

    # If the queue itself is down, the periodic sweep sends it once the time has come. An
    # alert's retry is urgent as the alert was: not behind a campaign's batches (0057).
    with contextlib.suppress(Exception):
        urgent(deliver_notification).using(run_after=retry_at).enqueue(row.pk)
    return NotificationStatus.PENDING


def due(now: datetime, limit: int = 200) -> list[int]:
    """Pending notifications whose time has come (first tries, retries, expired leases)."""
    return list(
        Notification.objects.filter(status=NotificationStatus.PENDING, run_after__lte=now)
        .exclude(channel=Notification.Channel.DIGEST)
        .order_by("run_after")
        .values_list("pk", flat=True)[:limit]
    )


def sweep(now: datetime | None = None) -> int:
    """Deliver whatever is due; the periodic safety net behind the enqueued retries."""
    now = now or timezone.now()
    return sum(deliver(pk, now) == NotificationStatus.SENT for pk in due(now))


# --- channels ---------------------------------------------------------------------------


class Mailer:
    """One SMTP session for the emails of one job, opened at the first and closed by the
    `with`; after a failure the next email opens a new one (a dropped connection must not
    fail the rest of the job's alerts)."""

    def __init__(self) -> None:
        self.connection: Any = None

    def send(self, message: EmailMessage) -> None:
        if self.connection is None:
            self.connection = get_connection(fail_silently=False)
            self.connection.open()
        try:
            self.connection.send_messages([message])
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
            self.connection = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def send(row: Notification, mailer: Mailer | None = None) -> None:
    if row.channel in (Notification.Channel.EMAIL, Notification.Channel.DIGEST):
        _send_email(row.recipient, row.subject, row.body, mailer)
    elif row.channel in (Notification.Channel.SLACK, Notification.Channel.TEAMS):
        # Slack's and Teams' incoming webhooks both take {"text": ...}.
        _post(row.recipient, json.dumps({"text": row.body}).encode(), {})
    elif row.channel == Notification.Channel.WEBHOOK:
        body = json.dumps(row.payload, sort_keys=True, default=str).encode()
        stamp = str(int(time.time()))
        headers = {DELIVERY_HEADER: str(row.pk), TIMESTAMP_HEADER: stamp}
        if row.secret:
            headers[SIGNATURE_HEADER] = signature(row.secret, stamp, body)
        _post(row.recipient, body, headers)
    else:
        raise ValueError(f"unknown channel {row.channel}")


def _send_email(to: str, subject: str, body: str, mailer: Mailer | None = None) -> None:
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[to]
    )
    if mailer is not None:
        mailer.send(message)
        return
    with get_connection(fail_silently=False) as connection:
        connection.send_messages([message])


def _post(url: str, body: bytes, headers: dict) -> None:
    """POST to a rule's webhook through the outbound guard (public addresses only, the
    checked address pinned, no redirects followed)."""
    answer = outbound.send(
        "POST",
        url,
        body,
        {"Content-Type": "application/json", "User-Agent": "Voxloop", **headers},
        timeout=HTTP_TIMEOUT,
    )
    if not 200 <= answer.status < 300:
        raise OSError(f"HTTP {answer.status} from the receiver")


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over "<timestamp>.<body>" with the rule's secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str, timestamp: str, body: bytes, header: str, now: float | None = None
) -> bool:
    """What a receiver does: same HMAC, compared in constant time, and not too old."""
    try:
        age = abs((now if now is not None else time.time()) - int(timestamp))
    except (TypeError, ValueError):
        return False
    if age > SIGNATURE_TOLERANCE:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header or "")


# --- digests ----------------------------------------------------------------------------


def _digest_subject(count: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("Voxloop: %(n)d alert", "Voxloop: %(n)d alerts", count) % {"n": count}


def send_digests(now: datetime | None = None) -> int:
    """One email per recipient with every digest item that is due, then all marked sent."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        channel=Notification.Channel.DIGEST,
        status=NotificationStatus.PENDING,
        run_after__lte=now,
    ).order_by("recipient", "created_at")
    by_recipient: dict[str, list[Notification]] = {}
    for row in pending:
        by_recipient.setdefault(row.recipient, []).append(row)
    sent = 0
    for recipient, rows in by_recipient.items():
        ids = [r.pk for r in rows]
        taken = Notification.objects.filter(
            pk__in=ids, status=NotificationStatus.PENDING, run_after__lte=now
        ).update(run_after=now + LEASE)
        if taken != len(ids):
            continue  # another worker is sending this digest
        body = "\n\n".join(f"{r.subject}\n{r.body}" for r in rows)
        try:
            _send_email(recipient, _digest_subject(len(rows)), body)
        except Exception as error:  # retried whole at the next digest run
            Notification.objects.filter(pk__in=ids).update(
                run_after=now + backoff(rows[0].attempts + 1), last_error=str(error)[:500]
            )
            continue
        Notification.objects.filter(pk__in=ids).update(
            status=NotificationStatus.SENT, sent_at=timezone.now()
        )
        sent += 1
    return sent
