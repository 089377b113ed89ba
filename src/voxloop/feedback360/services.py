"""Every write of 360 feedback: cycles (HR: admins of the subtree), their competencies and
subjects with the raters derived for each, sending, closing, releasing one report early, the
raters' answers (one per invitation) and the daily reminder. Decision 0043."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.db import transaction
from django.utils import timezone

from voxloop.accounts import selectors as account_selectors
from voxloop.errors import Conflict, InvalidInput, NotFound
from voxloop.feedback360 import raters
from voxloop.feedback360.models import (
    ANONYMOUS_GROUPS,
    DEFAULT_FLOORS,
    SCALE,
    Answer,
    Competency,
    Cycle,
    Invitation,
    Rating,
    Relationship,
    Subject,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

DEFAULT_COMPETENCIES = (
    "Communicates clearly",
    "Develops the team",
    "Acts on customer feedback",
    "Makes decisions",
)
COMMENT_MAX = 3000


def _require_hr(actor: Scope, cycle: Cycle) -> None:
    actor.require(Capability.CONFIGURE)
    if cycle.organization_id != actor.organization_id or not actor.covers_path(cycle.unit_path):
        raise NotFound("No such 360 cycle.")


def _floors(floors: Mapping[str, int] | None) -> dict[str, int]:
    chosen = dict(DEFAULT_FLOORS) | dict(floors or {})
    for group in ANONYMOUS_GROUPS:
        if int(chosen[group]) < 2:
            raise InvalidInput("An anonymous group needs a floor of at least 2.", f"floor_{group}")
    return {g.value: int(chosen[g]) for g in ANONYMOUS_GROUPS}


@transaction.atomic
def create_cycle(
    *,
    actor: Scope,
    unit: OrgUnit,
    name: str,
    deadline: date,
    competencies: Iterable[str] = DEFAULT_COMPETENCIES,
    subject_membership_ids: Iterable[int] = (),
    remind_days_before: int = 3,
    floors: Mapping[str, int] | None = None,
    include_customers: bool = False,
) -> Cycle:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise NotFound("No such org unit.", "unit")
    if not name.strip():
        raise InvalidInput("A cycle needs a name.", "name")
    if deadline < timezone.localdate():
        raise InvalidInput("The deadline has passed.", "deadline")
    texts = [t.strip()[:200] for t in competencies if t.strip()]
    if not texts:
        raise InvalidInput("Name at least one competency.", "competencies")
    cycle = Cycle.objects.create(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        name=name.strip()[:200],
        deadline=deadline,
        remind_days_before=max(0, remind_days_before),
        floors=_floors(floors),
        include_customers=include_customers,
    )
    Competency.objects.bulk_create(
        Competency(cycle=cycle, position=i, text=text) for i, text in enumerate(texts)
    )
    for membership_id in subject_membership_ids:
        add_subject(actor=actor, cycle=cycle, membership_id=membership_id)
    record_audit(
        actor=actor, action="feedback360.cycle.create", target=cycle, changes={"name": name}
    )
    return cycle


@transaction.atomic
def add_subject(*, actor: Scope, cycle: Cycle, membership_id: int) -> Subject:
    """A subject with the raters the hierarchy gives them (see raters.py)."""
    _require_hr(actor, cycle)
    try:
        membership = tenancy_selectors.membership(actor, membership_id)
    except NotFound:
        raise NotFound("No such person in your part of the organisation.", "subjects") from None
    user = membership.user
    subject, created = Subject.objects.get_or_create(
        cycle=cycle,
        user=user,
        defaults={
            "unit": membership.unit,
            "unit_path": membership.unit.path,
            "name": user.get_full_name() or user.get_username(),
        },
    )
    if not created:
        return subject
    found = raters.of_membership(membership, customers=cycle.include_customers)
    languages = account_selectors.preferred_languages([r.user_id for r in found if r.user_id])
    Invitation.objects.bulk_create(
        Invitation(
            subject=subject,
            relationship=r.relationship,
            user_id=r.user_id,
            contact_id=r.contact_id,
            email=r.email,
            language=r.language or languages.get(r.user_id or 0, ""),
        )
        for r in found
    )
    record_audit(
        actor=actor,
        action="feedback360.subject.add",
        target=cycle,
        changes={"subject": subject.name},
    )
    return subject


# Groups HR may add a person to by hand (self is the subject; customers come from cases).
HAND_GROUPS = (Relationship.MANAGER, Relationship.PEER, Relationship.REPORT)


def _before_sending(actor: Scope, subject: Subject) -> None:
    _require_hr(actor, subject.cycle)
    if subject.cycle.invitations_sent or not subject.cycle.is_open:
        raise Conflict("The invitations are sent: the raters can no longer change.")


@transaction.atomic
def add_rater(
    *, actor: Scope, subject: Subject, membership_id: int, relationship: str
) -> Invitation:
    """HR adds a person of their subtree as a rater of a subject, before the invitations go."""
    _before_sending(actor, subject)
    if relationship not in HAND_GROUPS:
        groups = ", ".join(g.value for g in HAND_GROUPS)
        raise InvalidInput(f"Group: one of {groups}.", "relationship")
    try:
        membership = tenancy_selectors.membership(actor, membership_id)
    except NotFound:
        raise NotFound("No such person in your part of the organisation.", "person") from None
    if membership.user_id == subject.user_id:
        raise InvalidInput('The person themselves answers as "self".', "person")
    if subject.invitations.filter(user_id=membership.user_id).exists():
        raise Conflict("This person already rates them.")
    language = account_selectors.preferred_languages([membership.user_id])[membership.user_id]
    invitation = Invitation.objects.create(
        subject=subject,
        relationship=relationship,
        user_id=membership.user_id,
        email=membership.user.email,
        language=language,
    )
    record_audit(
        actor=actor,
        action="feedback360.rater.add",
        target=subject.cycle,
        changes={"subject": subject.name, "rater": membership.user_id, "group": relationship},
    )
    return invitation


@transaction.atomic
def remove_rater(*, actor: Scope, invitation: Invitation) -> None:
    """HR takes a rater off a subject, before the invitations go."""
    subject = invitation.subject
    _before_sending(actor, subject)
    if invitation.relationship == Relationship.SELF:
        raise InvalidInput("The person's own view cannot be removed.", "invitation")
    changes: dict[str, object] = {"subject": subject.name, "group": invitation.relationship}
    changes["rater"] = invitation.user_id or f"contact {invitation.contact_id}"
    invitation.delete()
    record_audit(
        actor=actor, action="feedback360.rater.remove", target=subject.cycle, changes=changes
    )


def start(*, actor: Scope, cycle: Cycle) -> int:
    """Send every rater their invitation (after commit, by a task); the number queued."""
    _require_hr(actor, cycle)
    if not cycle.is_open:
        raise Conflict("This cycle is closed.")
    from voxloop.feedback360 import tasks

    waiting = Invitation.objects.filter(subject__cycle=cycle, sent=False).count()
    Cycle.objects.filter(pk=cycle.pk).update(invitations_sent=True)
    record_audit(
        actor=actor, action="feedback360.cycle.start", target=cycle, changes={"raters": waiting}
    )
    transaction.on_commit(lambda: tasks.send_invitations.enqueue(cycle.pk))
    return waiting


def close(*, actor: Scope, cycle: Cycle) -> None:
    """No more answers; the reports open to HR and to each subject."""
    _require_hr(actor, cycle)
    Cycle.objects.filter(pk=cycle.pk).update(is_open=False)
    cycle.is_open = False
    record_audit(actor=actor, action="feedback360.cycle.close", target=cycle)


def release(*, actor: Scope, subject: Subject) -> None:
    """Show one subject their report before the cycle closes: their answering stops, so two
    readings can never differ by one rater."""
    _require_hr(actor, subject.cycle)
    Subject.objects.filter(pk=subject.pk).update(released=True)
    subject.released = True
    record_audit(
        actor=actor,
        action="feedback360.subject.release",
        target=subject.cycle,
        changes={"subject": subject.name},
    )


def _clean_ratings(invitation: Invitation, ratings: Mapping[int, object]) -> dict[int, int]:
    ids = list(invitation.subject.cycle.competencies.values_list("pk", flat=True))
    clean: dict[int, int] = {}
    for competency_id in ids:
        raw = ratings.get(competency_id)
        try:
            value = int(str(raw))
        except (TypeError, ValueError):
            raise InvalidInput("Rate every competency from 1 to 5.", f"c{competency_id}") from None
        if not SCALE[0] <= value <= SCALE[1]:
            raise InvalidInput("Rate every competency from 1 to 5.", f"c{competency_id}")
        clean[competency_id] = value
    return clean


@transaction.atomic
def answer(*, invitation: Invitation, ratings: Mapping[int, object], comment: str = "") -> Answer:
    """The rater's one answer. The invitation only learns that it was answered; the answer
    learns the subject and the group, never the rater."""
    subject = invitation.subject
    if not subject.cycle.is_open or subject.released:
        raise Conflict("This feedback is closed.")
    clean = _clean_ratings(invitation, ratings)
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(f"At most {COMMENT_MAX} characters.", "comment")
    if not Invitation.objects.filter(pk=invitation.pk, answered=False).update(answered=True):
        raise Conflict("You have already answered.")
    made = Answer.objects.create(
        subject=subject, relationship=invitation.relationship, comment=comment
    )
    Rating.objects.bulk_create(
        Rating(answer=made, competency_id=cid, value=value) for cid, value in clean.items()
    )
    return made


def remind_and_close_due(*, today: date) -> dict[str, int]:
    """Daily: remind the raters who have not answered N days before the deadline (once per
    cycle), and close the cycles whose deadline has passed."""
    from voxloop.feedback360 import notices

    reminded = 0
    due = Cycle.objects.filter(is_open=True, invitations_sent=True, reminded_on__isnull=True)
    for cycle in due.exclude(remind_days_before=0):
        if not 0 <= (cycle.deadline - today).days <= cycle.remind_days_before:
            continue
        if Cycle.objects.filter(pk=cycle.pk, reminded_on__isnull=True).update(reminded_on=today):
            reminded += notices.send_reminders(cycle=cycle)
    closed = Cycle.objects.filter(is_open=True, deadline__lt=today).update(is_open=False)
    return {"reminded": reminded, "closed": closed}
