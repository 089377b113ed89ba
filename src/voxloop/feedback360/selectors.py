"""Every read of 360 feedback. HR (admins) sees the cycles of their subtree, completion per
subject and group (counts, never who) and every report once it may be read; a subject reads
their own report; nobody else reads one. Another unit's or tenant's cycle is "not found".

Reports read `Answer` and `Rating` only, which hold no rater; completion reads `Invitation`
counts only. A report opens when its cycle closes or HR releases it (answering then stops),
so two readings never differ by one person's answer."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, F, Q, QuerySet, Sum

from voxloop.errors import NotFound
from voxloop.feedback360 import reporting
from voxloop.feedback360.models import Answer, Cycle, Invitation, Rating, Relationship, Subject
from voxloop.privacy.redaction import mask
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Capability, Scope


def visible_cycles(scope: Scope) -> QuerySet[Cycle]:
    scope.require(Capability.CONFIGURE)
    return scope.filter(Cycle.objects.all(), "unit_path")


def cycle(scope: Scope, cycle_id: int) -> Cycle:
    found = visible_cycles(scope).filter(pk=cycle_id).select_related("unit").first()
    if found is None:
        raise NotFound("No such 360 cycle.")
    return found


def subject(scope: Scope, subject_id: int) -> Subject:
    found = Subject.objects.filter(pk=subject_id).select_related("cycle").first()
    if found is None:
        raise NotFound("No such person in this cycle.")
    cycle(scope, found.cycle_id)  # NotFound when the cycle is out of sight
    return found


def raters(found: Subject) -> QuerySet[Invitation]:
    """Who is asked about a subject (HR's list; whether each answered is never read here)."""
    return (
        Invitation.objects.filter(subject=found)
        .select_related("user")
        .only("pk", "relationship", "user", "contact_id", "email", "subject_id")
        .order_by("relationship", "pk")
    )


def rater(found: Subject, invitation_id: int) -> Invitation:
    invitation = raters(found).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such rater.")
    invitation.subject = found
    return invitation


def subject_choices(scope: Scope) -> QuerySet[Membership]:
    """People who can be subjects: memberships in the subtree."""
    return tenancy_selectors.visible_memberships(scope)


def completion(target: Cycle) -> list[dict]:
    """Per subject: invited and answered per group (counts only)."""
    counts = (
        Invitation.objects.filter(subject__cycle=target)
        .values("subject_id", "relationship")
        .annotate(invited=Count("pk"), answered=Count("pk", filter=Q(answered=True)))
    )
    per: dict[int, dict[str, dict]] = defaultdict(dict)
    for row in counts:
        per[row["subject_id"]][row["relationship"]] = dict(row)
    rows = []
    for found in target.subjects.all():
        groups = [
            {
                "group": rel.value,
                "label": rel.label,
                "invited": per[found.pk].get(rel.value, {}).get("invited", 0),
                "answered": per[found.pk].get(rel.value, {}).get("answered", 0),
            }
            for rel in Relationship
        ]
        rows.append({"subject": found, "groups": groups})
    return rows


def readable(found: Subject) -> bool:
    return not found.cycle.is_open or found.released


def own_subjects(user_id: int) -> QuerySet[Subject]:
    """The signed-in person's own reports (of every organisation)."""
    return Subject.objects.filter(user_id=user_id).select_related("cycle").order_by("-cycle_id")


def own_subject(user_id: int, subject_id: int) -> Subject:
    found = own_subjects(user_id).filter(pk=subject_id).first()
    if found is None:
        raise NotFound("No such report.")
    return found


def own_invitations(user_id: int) -> QuerySet[Invitation]:
    """What the signed-in person is asked to answer (open cycles, not answered yet)."""
    return Invitation.objects.filter(
        user_id=user_id, answered=False, subject__cycle__is_open=True, subject__released=False
    ).select_related("subject", "subject__cycle")


def own_invitation(user_id: int, invitation_id: int) -> Invitation:
    found = (
        Invitation.objects.filter(user_id=user_id, pk=invitation_id)
        .select_related("subject", "subject__cycle")
        .first()
    )
    if found is None:
        raise NotFound("No such invitation.")
    return found


def competencies(target: Cycle) -> list[tuple[int, str]]:
    return list(target.competencies.values_list("pk", "text"))


def report(found: Subject) -> reporting.Report | None:
    """The subject's report, or None while it may not be read. Callers check who reads."""
    if not readable(found):
        return None
    target = found.cycle
    counts = dict(
        Answer.objects.filter(subject=found)
        .values_list("relationship")
        .annotate(n=Count("pk"))
        .values_list("relationship", "n")
    )
    floors = {g: target.floor(g) for g in ("peer", "report", "customer")}
    plan = reporting.plan_groups(counts, floors)
    sums: dict[tuple[str, int], reporting.Sums] = {}
    rows = (
        Rating.objects.filter(answer__subject=found)
        .values("answer__relationship", "competency_id")
        .annotate(n=Count("pk"), total=Sum("value"), total_sq=Sum(F("value") * F("value")))
    )
    for row in rows:
        sums[(row["answer__relationship"], row["competency_id"])] = reporting.Sums(
            row["n"], float(row["total"]), float(row["total_sq"])
        )
    comments: dict[str, list[str]] = defaultdict(list)
    shown = set(plan.shown) | set(plan.combined)
    texts = Answer.objects.filter(subject=found, relationship__in=shown).exclude(comment="")
    for relationship, text in texts.values_list("relationship", "comment"):
        comments[relationship].append(mask(text))
    return reporting.build(competencies(target), sums, comments, plan)
