"""Every write to idea boards: boards (admins), ideas, votes, comments and follows (members on
employee boards, verified people on public ones), and the moderators' work — status with a
reason, merging duplicates, the moderation queue, themes and action plans. Each moderator's
write checks the role and the subtree and is audited. Decision 0040."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop.errors import Conflict, InvalidInput, NotFound
from voxloop.ideas import ranking
from voxloop.ideas.identity import Person
from voxloop.ideas.models import (
    Audience,
    Board,
    Comment,
    Follower,
    Idea,
    Status,
    StatusChange,
    Visibility,
    Vote,
)
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

TITLE_MAX, BODY_MAX, COMMENT_MAX = 200, 5000, 3000
# Statuses that need a word to the people following the idea.
NEEDS_REASON = {Status.DECLINED}
SETTABLE = [s for s in Status.values if s != Status.MERGED]


def _require_moderator(actor: Scope, board: Board) -> None:
    actor.require(Capability.ACT)
    if board.organization_id != actor.organization_id or not actor.covers_path(board.unit_path):
        raise NotFound("No such idea board.")


# --- boards ---------------------------------------------------------------------------------


@transaction.atomic
def create_board(
    *,
    actor: Scope,
    unit: OrgUnit,
    name: str,
    audience: str,
    description: str = "",
    moderate_first: bool | None = None,
) -> Board:
    actor.require(Capability.CONFIGURE)
    if not actor.covers(unit):
        raise NotFound("No such org unit.", "unit")
    if not name.strip():
        raise InvalidInput("A board needs a name.", "name")
    if audience not in Audience.values:
        raise InvalidInput(f"Audience: one of {', '.join(Audience.values)}.", "audience")
    if moderate_first is None:
        moderate_first = audience == Audience.CUSTOMERS
    board = Board.objects.create(
        organization_id=actor.organization_id,
        unit=unit,
        unit_path=unit.path,
        name=name.strip()[:200],
        description=description.strip(),
        audience=audience,
        moderate_first=moderate_first,
        public_key=secrets.token_urlsafe(24),
    )
    record_audit(actor=actor, action="ideas.board.create", target=board, changes={"name": name})
    return board


# --- what people do ---------------------------------------------------------------------------


def _clean_text(value: str, field: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput("This field is required.", field)
    if len(value) > limit:
        raise InvalidInput(f"At most {limit} characters.", field)
    return value


@transaction.atomic
def post_idea(
    *,
    board: Board,
    author: Person,
    title: str,
    body: str = "",
    language: str = "",
    when: datetime | None = None,
) -> Idea:
    """A new idea; its author's vote and follow come with it. Waits for a moderator when the
    board moderates first."""
    if not board.is_open:
        raise Conflict("This board takes no new ideas.")
    idea = Idea.objects.create(
        organization_id=board.organization_id,
        board=board,
        unit_path=board.unit_path,
        title=_clean_text(title, "title", TITLE_MAX),
        body=_clean_text(body, "body", BODY_MAX, required=False),
        language=(language or "")[:12],
        author_key=author.key,
        author_name=author.name[:100],
        visibility=Visibility.PENDING if board.moderate_first else Visibility.PUBLISHED,
        theme=suggested_theme(board=board, text=f"{title}\n{body}", language=language),
    )
    if when is not None:
        Idea.objects.filter(pk=idea.pk).update(created_at=when)
        idea.created_at = when
    vote(idea=idea, voter=author, when=when, allow_pending=True)
    idea.refresh_from_db()
    return idea


def suggested_theme(*, board: Board, text: str, language: str = "") -> str:
    """The theme text analytics finds first in an idea (the taxonomy above the board's unit),
    so that ideas and survey comments speak of the same things; a moderator may change it.
    Empty when nothing matches, or when the setting `IDEAS_SUGGEST_THEMES` is off."""
    from voxloop.textanalytics.services import analyse_texts

    if not getattr(settings, "IDEAS_SUGGEST_THEMES", True) or not text.strip():
        return ""
    found = analyse_texts(
        organization_id=board.organization_id, items=[(board.unit_path, text, language)]
    )
    themes = found[0]["themes"] if found else []
    return str(themes[0]["name"])[:120] if themes else ""


def _open_for(idea: Idea, allow_pending: bool) -> Idea:
    if idea.status == Status.MERGED and idea.merged_into_id:
        return Idea.objects.get(pk=idea.merged_into_id)
    if idea.visibility != Visibility.PUBLISHED and not (
        allow_pending and idea.visibility == Visibility.PENDING
    ):
        raise NotFound("No such idea.")
    return idea


def vote(
    *,
    idea: Idea,
    voter: Person,
    origin: str = "",
    when: datetime | None = None,
    allow_pending: bool = False,
) -> bool:
    """One vote per person and idea (a vote on a merged idea goes to the one it was merged
    into); the voter follows the idea. True when the vote is new."""
    target = _open_for(idea, allow_pending)
    try:
        with transaction.atomic():
            Vote.objects.create(
                idea=target, voter_key=voter.key, origin=origin, created_at=when or timezone.now()
            )
    except IntegrityError:
        return False
    follow(idea=target, person=voter, allow_pending=True)
    _rescore(target)
    return True


@transaction.atomic
def add_votes(*, idea: Idea, votes: list[tuple[Person, datetime]]) -> int:
    """Many people's votes at once (imports from another tool, the demo): one per person as
    `vote` does, each voter following the idea, one re-score. The number of new votes."""
    target = _open_for(idea, allow_pending=False)
    before = target.votes.count()
    Vote.objects.bulk_create(
        [Vote(idea=target, voter_key=p.key, created_at=at) for p, at in votes],
        ignore_conflicts=True,
    )
    Follower.objects.bulk_create(
        [
            Follower(
                idea=target,
                follower_key=p.key,
                user_id=p.user_id,
                email="" if p.user_id else p.email,
            )
            for p, _ in votes
        ],
        ignore_conflicts=True,
    )
    _rescore(target)
    return target.votes.count() - before


@transaction.atomic
def withdraw_vote(*, idea: Idea, voter: Person) -> bool:
    removed, _ = Vote.objects.filter(idea=idea, voter_key=voter.key).delete()
    if removed:
        _rescore(idea)
    return bool(removed)


def _rescore(idea: Idea) -> None:
    days = [timezone.localdate(at) for at in idea.votes.values_list("created_at", flat=True)]
    Idea.objects.filter(pk=idea.pk).update(votes_count=len(days), score=ranking.score_of(days))


def follow(*, idea: Idea, person: Person, allow_pending: bool = False) -> bool:
    target = _open_for(idea, allow_pending)
    _, created = Follower.objects.get_or_create(
        idea=target,
        follower_key=person.key,
        defaults={"user_id": person.user_id, "email": "" if person.user_id else person.email},
    )
    return created


def unfollow(*, idea: Idea, person: Person) -> bool:
    removed, _ = Follower.objects.filter(idea=idea, follower_key=person.key).delete()
    return bool(removed)


def add_comment(*, idea: Idea, author: Person, body: str, official: bool = False) -> Comment:
    target = _open_for(idea, allow_pending=False)
    moderated = target.board.moderate_first and not official
    return Comment.objects.create(
        idea=target,
        author_key=author.key,
        author_name=author.name[:100],
        body=_clean_text(body, "body", COMMENT_MAX),
        is_official=official,
        visibility=Visibility.PENDING if moderated else Visibility.PUBLISHED,
    )


# --- moderators -------------------------------------------------------------------------------


@transaction.atomic
def answer(*, actor: Scope, idea: Idea, body: str) -> Comment:
    """An official answer from the organisation, published at once."""
    _require_moderator(actor, idea.board)
    author = Person(key=f"u:{actor.user_id}", name=actor.actor_label, user_id=actor.user_id)
    comment = add_comment(idea=idea, author=author, body=body, official=True)
    record_audit(actor=actor, action="ideas.answer", target=idea, changes={"comment": comment.pk})
    return comment


@transaction.atomic
def moderate_idea(*, actor: Scope, idea: Idea, publish: bool) -> Idea:
    _require_moderator(actor, idea.board)
    idea.visibility = Visibility.PUBLISHED if publish else Visibility.REJECTED
    idea.save(update_fields=["visibility"])
    record_audit(
        actor=actor, action="ideas.moderate", target=idea, changes={"visibility": idea.visibility}
    )
    return idea


@transaction.atomic
def moderate_comment(*, actor: Scope, comment: Comment, publish: bool) -> Comment:
    _require_moderator(actor, comment.idea.board)
    comment.visibility = Visibility.PUBLISHED if publish else Visibility.REJECTED
    comment.save(update_fields=["visibility"])
    record_audit(
        actor=actor,
        action="ideas.moderate_comment",
        target=comment.idea,
        changes={"comment": comment.pk, "visibility": comment.visibility},
    )
    return comment


@transaction.atomic
def set_status(*, actor: Scope, idea: Idea, status: str, reason: str = "") -> StatusChange:
    """A new status with its reason (required when declining); followers and voters are told
    by email once the change is committed."""
    _require_moderator(actor, idea.board)
    if status not in SETTABLE:
        raise InvalidInput(f"Status: one of {', '.join(SETTABLE)}.", "status")
    reason = (reason or "").strip()
    if status in NEEDS_REASON and not reason:
        raise InvalidInput("Say why the idea is declined.", "reason")
    if idea.status == Status.MERGED:
        raise Conflict("This idea was merged into another; change that one.")
    return _change_status(actor, idea, status, reason)


def _change_status(actor: Scope, idea: Idea, status: str, reason: str) -> StatusChange:
    change = StatusChange.objects.create(
        idea=idea,
        old_status=idea.status,
        new_status=status,
        reason=reason,
        actor_label=actor.actor_label,
    )
    idea.status, idea.status_reason, idea.status_changed_at = status, reason, timezone.now()
    idea.save(update_fields=["status", "status_reason", "status_changed_at"])
    record_audit(
        actor=actor,
        action="ideas.status",
        target=idea,
        changes={"from": change.old_status, "to": status, "reason": reason},
    )
    transaction.on_commit(lambda: _enqueue_notice(change.pk))
    return change


def _enqueue_notice(change_id: int) -> None:
    from voxloop.ideas.tasks import notify_status_change

    notify_status_change.enqueue(change_id)


@transaction.atomic
def merge(*, actor: Scope, duplicate: Idea, into: Idea) -> Idea:
    """Fold a duplicate into another idea of the same board: its votes and followers move
    over, one per person (someone who voted for both counts once), and its followers hear of
    the merge."""
    _require_moderator(actor, duplicate.board)
    if duplicate.pk == into.pk:
        raise InvalidInput("An idea cannot be merged into itself.", "into")
    if into.board_id != duplicate.board_id:
        raise InvalidInput("Merge ideas of the same board.", "into")
    if into.status == Status.MERGED:
        raise InvalidInput("That idea was itself merged; merge into the one it went to.", "into")
    if duplicate.status == Status.MERGED:
        raise Conflict("This idea is already merged.")
    already = set(into.votes.values_list("voter_key", flat=True))
    duplicate.votes.exclude(voter_key__in=already).update(idea=into)
    following = set(into.followers.values_list("follower_key", flat=True))
    moving = list(duplicate.followers.exclude(follower_key__in=following))
    for row in moving:
        Follower.objects.create(
            idea=into, follower_key=row.follower_key, user_id=row.user_id, email=row.email
        )
    duplicate.merged_into = into
    duplicate.save(update_fields=["merged_into"])
    _change_status(actor, duplicate, Status.MERGED, f"#{into.pk} {into.title}")
    for idea in (into, duplicate):
        _rescore(idea)
    into.refresh_from_db()
    return into


@transaction.atomic
def set_theme(*, actor: Scope, idea: Idea, theme: str) -> Idea:
    _require_moderator(actor, idea.board)
    idea.theme = (theme or "").strip()[:120]
    idea.save(update_fields=["theme"])
    record_audit(actor=actor, action="ideas.theme", target=idea, changes={"theme": idea.theme})
    return idea


@transaction.atomic
def turn_into_plan(*, actor: Scope, idea: Idea, title: str = "") -> Idea:
    """An action plan at the board's unit that says where it came from ("from idea #42, 318
    votes"); the idea is planned and linked to it."""
    from voxloop.closedloop import plans

    _require_moderator(actor, idea.board)
    if idea.plan_id:
        raise Conflict("This idea already has an action plan.")
    plan = plans.create_plan(
        actor=actor,
        unit=idea.board.unit,
        title=(title or idea.title).strip()[:200],
        description=f"From idea #{idea.pk} ({idea.votes_count} votes): {idea.title}\n\n{idea.body}",
        theme=idea.theme,
        starts_on=timezone.localdate(),
    )
    idea.plan = plan
    idea.save(update_fields=["plan"])
    if idea.status in (Status.NEW, Status.UNDER_REVIEW):
        _change_status(actor, idea, Status.PLANNED, plan.title)
    return idea


@transaction.atomic
def promote_comment(
    *, actor: Scope, board: Board, response_id: int, question_key: str = "", title: str = ""
) -> Idea:
    """A suggestion from a survey comment becomes an idea on a board, its personal details
    masked. Anonymous surveys' answers cannot be read one by one, so cannot be promoted."""
    from voxloop.privacy.redaction import mask
    from voxloop.responses import selectors as response_selectors

    _require_moderator(actor, board)
    response = response_selectors.response(actor, response_id)
    texts = {k: v for k, v in (response.answers or {}).items() if isinstance(v, str) and v.strip()}
    if question_key:
        texts = {k: v for k, v in texts.items() if k == question_key}
    if not texts:
        raise InvalidInput("This response has no comment to promote.", "question_key")
    body = mask(next(iter(texts.values())).strip())[:BODY_MAX]
    idea = Idea.objects.create(
        organization_id=board.organization_id,
        board=board,
        unit_path=board.unit_path,
        title=_clean_text(title or body[:80], "title", TITLE_MAX),
        body=body,
        language=response.locale or "",
        author_key=f"r:{response.pk}",
        source_response_id=response.pk,
        theme=suggested_theme(board=board, text=body, language=response.locale or ""),
    )
    record_audit(
        actor=actor, action="ideas.promote", target=idea, changes={"response": response.pk}
    )
    return idea
