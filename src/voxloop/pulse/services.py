"""Every write of pulse programmes: programmes and their question bank (admins), opening a
wave (the schedule or "send the next wave now"), the one reminder, an employee's anonymous
answer with an optional frontline report, and turning a report into an action plan.
Decision 0042."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from voxloop.errors import Conflict, InvalidInput, NotFound
from voxloop.privacy.redaction import mask
from voxloop.pulse.models import (
    DRIVER_TEXTS,
    ENPS_TEXT,
    MIN_FLOOR,
    Answer,
    Cadence,
    Category,
    Driver,
    Invite,
    Kind,
    Programme,
    Question,
    Report,
    Wave,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

STEP: dict[str, timedelta] = {
    Cadence.WEEKLY: timedelta(days=7),
    Cadence.MONTHLY: timedelta(days=30),
    Cadence.QUARTERLY: timedelta(days=91),
}
COMMENT_MAX, REPORT_MAX = 2000, 2000


@dataclass(frozen=True)
class Settings:
    """What an admin sets on a programme (the form and the API alike)."""

    name: str
    cadence: str = Cadence.MONTHLY
    drivers_per_wave: int = 2
    reminder_after_days: int = 3
    floor: int = MIN_FLOOR
    is_active: bool = True


def _check(settings: Settings) -> Settings:
    if not settings.name.strip():
        raise InvalidInput("A programme needs a name.", "name")
    if settings.cadence not in Cadence.values:
        raise InvalidInput(f"Cadence: one of {', '.join(Cadence.values)}.", "cadence")
    if settings.floor < MIN_FLOOR:
        raise InvalidInput(f"The anonymity floor is at least {MIN_FLOOR}.", "floor")
    if not 1 <= settings.drivers_per_wave <= len(Driver.values):
        raise InvalidInput(f"Drivers per wave: 1 to {len(Driver.values)}.", "drivers_per_wave")
    if not 0 <= settings.reminder_after_days <= 30:
        raise InvalidInput("Reminder after: 0 to 30 days.", "reminder_after_days")
    return settings


def require_admin(*, actor: Scope, programme: Programme) -> None:
    actor.require(Capability.CONFIGURE)
    if programme.organization_id != actor.organization_id or not actor.covers_path(
        programme.unit_path
    ):
        raise NotFound("No such pulse programme.")


@transaction.atomic
def create_programme(
    *, actor: Scope, unit: OrgUnit, settings: Settings, start: datetime | None = None
) -> Programme:
    """A programme with the default question bank: eNPS and the five drivers."""
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise NotFound("No such org unit.", "unit")
    s = _check(settings)
    programme = Programme.objects.create(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        name=s.name.strip()[:200],
        cadence=s.cadence,
        drivers_per_wave=s.drivers_per_wave,
        reminder_after_days=s.reminder_after_days,
        floor=s.floor,
        is_active=s.is_active,
        next_wave_at=start or timezone.now(),
    )
    Question.objects.create(programme=programme, kind=Kind.ENPS, text=ENPS_TEXT, position=0)
    for position, (driver, text) in enumerate(DRIVER_TEXTS.items(), start=1):
        Question.objects.create(
            programme=programme, kind=Kind.DRIVER, driver=driver, text=text, position=position
        )
    record_audit(actor=actor, action="pulse.create", target=programme, changes={"name": s.name})
    return programme


@transaction.atomic
def update_programme(*, actor: Scope, programme: Programme, settings: Settings) -> Programme:
    require_admin(actor=actor, programme=programme)
    s = _check(settings)
    changes = {}
    for field in ("name", "cadence", "drivers_per_wave", "reminder_after_days", "floor"):
        value = getattr(s, field)
        value = value.strip() if isinstance(value, str) else value
        if getattr(programme, field) != value:
            changes[field] = value
            setattr(programme, field, value)
    if programme.is_active != s.is_active:
        changes["is_active"] = s.is_active
        programme.is_active = s.is_active
    programme.save()
    record_audit(actor=actor, action="pulse.update", target=programme, changes=changes)
    return programme


@transaction.atomic
def save_question(
    *,
    actor: Scope,
    programme: Programme,
    text: str,
    driver: str = "",
    is_active: bool = True,
    question: Question | None = None,
) -> Question:
    """Add a driver question to the bank, or change one (its text, whether it is in use)."""
    require_admin(actor=actor, programme=programme)
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A question needs its text.", "text")
    if question is None:
        if driver not in Driver.values:
            raise InvalidInput(f"Driver: one of {', '.join(Driver.values)}.", "driver")
        question = Question(
            programme=programme,
            kind=Kind.DRIVER,
            driver=driver,
            position=programme.questions.count(),
        )
    elif question.programme_id != programme.pk:
        raise NotFound("No such question.")
    if question.kind == Kind.ENPS:
        is_active = True  # every wave asks eNPS
    question.text, question.is_active = text[:300], is_active
    question.save()
    record_audit(
        actor=actor,
        action="pulse.question",
        target=programme,
        changes={"question": question.pk, "text": question.text, "active": is_active},
    )
    return question


# --- waves --------------------------------------------------------------------------------


def rotation(*, programme: Programme, number: int) -> list[int]:
    """eNPS and the next `drivers_per_wave` drivers in turn, so each driver comes round."""
    questions = list(programme.questions.filter(is_active=True))
    enps = [q.pk for q in questions if q.kind == Kind.ENPS]
    drivers = [q.pk for q in questions if q.kind == Kind.DRIVER]
    if not drivers:
        return enps
    take = min(programme.drivers_per_wave, len(drivers))
    start = ((number - 1) * take) % len(drivers)
    return enps + [drivers[(start + i) % len(drivers)] for i in range(take)]


def _audience(programme: Programme) -> dict[int, int]:
    """Each member of the programme's subtree once (user id → the deepest unit they hold)."""
    members: dict[int, tuple[str, int]] = {}
    for m in tenancy_selectors.visible_memberships(Scope.system(programme.unit)):
        deeper = m.user_id not in members or len(m.unit.path) > len(members[m.user_id][0])
        if m.user.is_active and deeper:
            members[m.user_id] = (m.unit.path, m.unit_id)
    return {user: unit for user, (_, unit) in members.items()}


@transaction.atomic
def open_wave(*, programme: Programme, now: datetime | None = None) -> Wave:
    """The next wave: its questions in turn, one invitation per member of the subtree, sent
    once the wave is committed; the programme's next wave moves one cadence on."""
    now = now or timezone.now()
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    last = programme.waves.order_by("-number").values_list("number", flat=True).first()
    number = (last or 0) + 1
    days = programme.reminder_after_days
    remind = now + timedelta(days=days) if days else None
    wave = Wave.objects.create(
        organization_id=programme.organization_id,
        programme=programme,
        number=number,
        opened_at=now,
        question_ids=rotation(programme=programme, number=number),
        remind_at=remind,
    )
    audience = _audience(programme)
    Invite.objects.bulk_create(
        [
            Invite(wave=wave, user_id=user, unit_id=unit, token=secrets.token_urlsafe(24))
            for user, unit in audience.items()
        ]
    )
    wave.invited = len(audience)
    wave.save(update_fields=["invited"])
    programme.next_wave_at = max(now, programme.next_wave_at or now) + STEP[programme.cadence]
    programme.save(update_fields=["next_wave_at"])
    transaction.on_commit(lambda: _enqueue_send(wave.pk, reminder=False))
    return wave


def send_now(*, actor: Scope, programme: Programme) -> Wave:
    """ "Send the next wave now" from the programme's page."""
    require_admin(actor=actor, programme=programme)
    wave = open_wave(programme=programme)
    record_audit(
        actor=actor, action="pulse.send_now", target=programme, changes={"wave": wave.number}
    )
    return wave


def open_due_waves(*, now: datetime | None = None) -> int:
    """The schedule's run: every active programme whose next wave is due opens it, and every
    wave whose reminder is due sends it. The number of waves opened."""
    now = now or timezone.now()
    due = Programme.objects.filter(is_active=True, next_wave_at__lte=now)
    opened = 0
    for programme in due:
        open_wave(programme=programme, now=now)
        opened += 1
    for wave_id in Wave.objects.filter(remind_at__lte=now, reminded_at__isnull=True).values_list(
        "pk", flat=True
    ):
        if Wave.objects.filter(pk=wave_id, reminded_at__isnull=True).update(reminded_at=now):
            _enqueue_send(wave_id, reminder=True)
    return opened


def _enqueue_send(wave_id: int, *, reminder: bool) -> None:
    from voxloop.pulse.tasks import send_invites

    send_invites.enqueue(wave_id, reminder)


# --- answering ----------------------------------------------------------------------------


def _score(value: object, low: int, high: int, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidInput(f"A whole number from {low} to {high}.", field) from None
    if not low <= number <= high:
        raise InvalidInput(f"A whole number from {low} to {high}.", field)
    return number


@transaction.atomic
def answer(
    *,
    invite: Invite,
    enps: object,
    drivers: dict[int, object],
    comment: str = "",
    report_category: str = "",
    report_text: str = "",
) -> Answer:
    """An employee's answer, kept without them: the invite is only marked answered (for the
    reminder), the answer keeps the unit, scores and the comment with personal data masked.
    A frontline report, when given, goes to the unit's managers, masked and unsigned."""
    invite = Invite.objects.select_for_update().select_related("wave", "unit").get(pk=invite.pk)
    if invite.answered:
        raise Conflict("You have already answered this pulse.")
    wave = invite.wave
    if wave.programme.waves.filter(number__gt=wave.number).exists():
        raise Conflict("This pulse is closed: a newer one has been sent.")
    asked = set(wave.question_ids)
    scores = {}
    for qid, value in drivers.items():
        if qid in asked:
            score = _score(value, 1, 5, f"q{qid}")
            if score is not None:
                scores[str(qid)] = score
    nps = _score(enps, 0, 10, "enps")
    if nps is None and not scores:
        raise InvalidInput("Answer at least one question.", "enps")
    report_text = (report_text or "").strip()
    if report_text and report_category not in Category.values:
        raise InvalidInput(f"Category: one of {', '.join(Category.values)}.", "report_category")
    row = Answer.objects.create(
        organization_id=wave.organization_id,
        wave=wave,
        unit_path=invite.unit.path,
        enps=nps,
        drivers=scores,
        comment=mask((comment or "").strip()[:COMMENT_MAX]),
    )
    if report_text:
        Report.objects.create(
            organization_id=wave.organization_id,
            programme_id=wave.programme_id,
            wave_number=wave.number,
            unit=invite.unit,
            unit_path=invite.unit.path,
            category=report_category,
            text=mask(report_text[:REPORT_MAX]),
            reported_on=timezone.localdate(wave.opened_at),
        )
    invite.answered = True
    invite.save(update_fields=["answered"])
    return row


@transaction.atomic
def report_to_plan(*, actor: Scope, report: Report, title: str = "") -> Report:
    """A frontline report becomes a closed-loop action plan at its unit."""
    from voxloop.closedloop import plans

    actor.require(Capability.ACT)
    if report.organization_id != actor.organization_id or not actor.covers_path(report.unit_path):
        raise NotFound("No such frontline report.")
    if report.plan_id:
        raise Conflict("This report already has an action plan.")
    plan = plans.create_plan(
        actor=actor,
        unit=report.unit,
        title=(title or report.text[:80]).strip()[:200],
        description=f"From a frontline report ({report.category}): {report.text}",
        starts_on=timezone.localdate(),
    )
    report.plan = plan
    report.save(update_fields=["plan"])
    record_audit(
        actor=actor, action="pulse.report_plan", target=plan, changes={"report": report.pk}
    )
    return report
