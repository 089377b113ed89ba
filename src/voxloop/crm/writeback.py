"""From Voxloop to the CRM: a completed response's scores and comment (on the ticket whose
event invited the respondent, else their latest ticket, else their contact), a ticket or task
for a case, and the case's resolution or reopening. Each is a `WriteBack` row, once per
(connector, what it is about), sent by a task and claimed by a conditional UPDATE so two
workers never send it twice; a 429 or 5xx puts it back for the provider's Retry-After (else
1, 2, 4… minutes), up to `MAX_ATTEMPTS`; a refusal fails it at once. Both land in the
connector's activity log.

Only connectors whose unit covers the response's or case's unit write anything, and only
for a contact they know (linked by sync or by a webhook); anonymous surveys never."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from voxloop.crm import casestatus, inbound, runtime
from voxloop.crm.connectors import connector as provider_of
from voxloop.crm.connectors.base import CaseInfo, CrmError, Feedback
from voxloop.crm.models import (
    ActivityKind,
    CrmConnector,
    JobKind,
    JobStatus,
    RecordKind,
    RecordLink,
    WriteBack,
)
from voxloop.distribution import selectors as distribution_selectors
from voxloop.privacy.redaction import mask

MAX_ATTEMPTS = 12
LEASE = timedelta(minutes=5)
WAIT_FOR_TICKET = timedelta(minutes=1)
INVITATION_PREFIX = "inv:"  # a response's source key when a personal invitation link made it


def _link(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


def _comment(answers: dict[str, Any], limit: int = 1000) -> str:
    text = " / ".join(mask(v) for v in answers.values() if isinstance(v, str) and v.strip())
    return text[:limit]


def _connectors(organization_id: int, unit_path: str, flag: str) -> list[CrmConnector]:
    if not unit_path:
        return []
    return [
        c
        for c in CrmConnector.objects.filter(
            organization_id=organization_id, is_active=True, **{flag: True}
        )
        if unit_path.startswith(c.unit_path)
    ]


def _target(
    connector: CrmConnector, contact_id: int, interaction_id: int | None = None
) -> dict[str, str]:
    link = RecordLink.objects.filter(
        connector=connector, record=RecordKind.CONTACT, local_id=contact_id
    ).first()
    return {
        "contact": link.remote_id if link else "",
        "ticket": inbound.ticket_of(connector, contact_id, interaction_id),
    }


def _interaction_of(response: Any) -> int | None:
    """The interaction whose trigger invited the respondent (None for other responses)."""
    key = response.source_key or ""
    if not key.startswith(INVITATION_PREFIX):
        return None
    ref = key.removeprefix(INVITATION_PREFIX)
    return distribution_selectors.interaction_of_invitation(response.organization_id, ref)


def _queue(connector: CrmConnector, kind: str, key: str, payload: dict) -> WriteBack | None:
    now = timezone.now()
    try:
        with transaction.atomic():
            job = WriteBack.objects.create(
                connector=connector,
                kind=kind,
                key=key,
                payload=payload,
                next_attempt_at=now,
                created_at=now,
            )
    except IntegrityError:
        return None  # already queued: a signal sent twice writes back once
    from voxloop.crm.tasks import deliver_writeback

    transaction.on_commit(lambda: deliver_writeback.enqueue(job.pk))
    return job


def asdict_payload(*, target: dict[str, str], feedback: Feedback) -> dict[str, Any]:
    """A feedback write-back's stored payload."""
    return {"target": target, "feedback": asdict(feedback)}


def queue_feedback(*, response: Any) -> list[int]:
    """A completed response of a known contact, for each connector that covers its unit."""
    if not response.contact_id or not response.is_complete or response.survey.is_anonymous:
        return []
    queued = []
    interaction_id = _interaction_of(response)
    for connector in _connectors(response.organization_id, response.unit_path, "write_back"):
        target = _target(connector, response.contact_id, interaction_id)
        if not (target["contact"] or target["ticket"]):
            continue
        feedback = Feedback(
            response_id=response.pk,
            survey=response.survey.name,
            nps=response.nps,
            csat=response.csat,
            ces=response.ces,
            comment=_comment(response.answers or {}),
            submitted_at=(response.submitted_at or timezone.now()).isoformat(),
            link=_link(reverse("closedloop:inbox")),
        )
        payload = asdict_payload(target=target, feedback=feedback)
        job = _queue(connector, JobKind.FEEDBACK, f"response:{response.pk}", payload)
        if job is not None:
            queued.append(job.pk)
    return queued


def _queue_status(connector: CrmConnector, case_id: int, resolved: bool) -> WriteBack | None:
    """The case's ticket or task solved (or reopened): the opposite change, sent or not, is
    dropped, so each new change goes out once and the last one wins."""
    mine, other = ("resolved", "reopened") if resolved else ("reopened", "resolved")
    if (
        not resolved
        and not WriteBack.objects.filter(
            connector=connector, key=f"case:{case_id}:opened", status=JobStatus.DONE
        ).exists()
    ):
        return None  # no ticket or task to reopen
    WriteBack.objects.filter(connector=connector, key=f"case:{case_id}:{other}").delete()
    payload = {"case_id": case_id, "resolved": resolved}
    return _queue(connector, JobKind.CASE_STATUS, f"case:{case_id}:{mine}", payload)


def queue_case(*, case: Any, event: str) -> list[int]:
    """A case opened (a ticket or task in the CRM), resolved (that ticket or task closed) or
    reopened (opened again)."""
    if event not in ("opened", "resolved", "reopened") or not case.contact_id:
        return []
    queued = []
    for connector in _connectors(case.organization_id, case.unit_path, "cases_to_tickets"):
        if event != "opened":
            job = _queue_status(connector, case.pk, event == "resolved")
        else:
            target = _target(connector, case.contact_id)
            if not (target["contact"] or target["ticket"]):
                continue
            response = case.response if case.response_id else None
            info = CaseInfo(
                case_id=case.pk,
                title=case.title,
                body=_comment(response.answers or {}) if response is not None else "",
                priority=str(case.priority),
                link=_link(reverse("closedloop:case", args=[case.pk])),
            )
            job = _queue(
                connector,
                JobKind.CASE_OPENED,
                f"case:{case.pk}:opened",
                {"target": target, "case": asdict(info)},
            )
        if job is not None:
            queued.append(job.pk)
    return queued


def _claim(job_id: int, now: datetime) -> WriteBack | None:
    claimed = WriteBack.objects.filter(
        pk=job_id, status=JobStatus.QUEUED, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    if not claimed:
        return None
    return WriteBack.objects.select_related("connector").get(pk=job_id)


def deliver(job_id: int, now: datetime | None = None) -> str:
    """Send one write-back; its status afterwards."""
    now = now or timezone.now()
    job = _claim(job_id, now)
    if job is None:
        return "not due"
    connector = job.connector
    if not connector.is_active:
        return _give_up(job, "the connector is off", now)
    provider = provider_of(connector.kind)
    session = runtime.session_of(connector)
    try:
        if job.kind == JobKind.FEEDBACK:
            provider.write_feedback(
                session, job.payload["target"], Feedback(**job.payload["feedback"])
            )
        elif job.kind == JobKind.CASE_OPENED:
            job.remote_id = provider.open_ticket(
                session, job.payload["target"], CaseInfo(**job.payload["case"])
            )[:120]
            if job.remote_id != job.payload["target"].get("ticket"):
                # Created now, so open; a ticket only noted is polled for its state first.
                job.payload = {**job.payload, "remote_state": casestatus.OPEN_STATE}
        else:
            opened = WriteBack.objects.filter(
                connector=connector, key=f"case:{job.payload['case_id']}:opened"
            ).first()
            if opened is None or opened.status == JobStatus.FAILED:
                return _give_up(job, "the case has no ticket or task in the CRM", now)
            if opened.status != JobStatus.DONE or not opened.remote_id:
                raise CrmError("The ticket is not created yet.", True, WAIT_FOR_TICKET.seconds)
            resolved = bool(job.payload.get("resolved", True))
            provider.set_status(session, opened.remote_id, resolved)
            job.remote_id = opened.remote_id
            casestatus.remember([opened], resolved)
    except CrmError as error:
        return _failed(job, error, now)
    job.status = JobStatus.DONE
    job.attempts += 1
    job.error = ""
    job.done_at = now
    _store(job, "status", "attempts", "error", "done_at", "remote_id", "payload")
    runtime.log(
        connector,
        ActivityKind.WRITE_BACK,
        f"{job.get_kind_display()}: {job.key}" + (f" → {job.remote_id}" if job.remote_id else ""),
    )
    return JobStatus.DONE


def _store(job: WriteBack, *fields: str) -> None:
    """Save what a delivery changed; a status write-back dropped meanwhile (the case changed
    back) simply stays gone."""
    WriteBack.objects.filter(pk=job.pk).update(**{name: getattr(job, name) for name in fields})


def _failed(job: WriteBack, error: CrmError, now: datetime) -> str:
    job.attempts += 1
    job.error = str(error)[:500]
    if error.transient and job.attempts < MAX_ATTEMPTS:
        job.next_attempt_at = now + runtime.backoff(job.attempts, error.retry_after)
        _store(job, "attempts", "error", "next_attempt_at")
        return JobStatus.QUEUED
    return _give_up(job, job.error, now)


def _give_up(job: WriteBack, reason: str, now: datetime) -> str:
    job.status = JobStatus.FAILED
    job.error = reason[:500]
    _store(job, "status", "attempts", "error")
    runtime.log(
        job.connector,
        ActivityKind.WRITE_BACK,
        f"{job.get_kind_display()} failed: {job.key}",
        ok=False,
        problems=[{"record": job.key, "message": reason}],
    )
    return JobStatus.FAILED


def due(now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or timezone.now()
    return list(
        WriteBack.objects.filter(status=JobStatus.QUEUED, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
