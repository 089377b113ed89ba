"""Every read of boards and ideas, scoped. A board is seen by members of its unit, of the
units below it (a company-wide board reaches every store) and above it; it is moderated by
the admins and managers of its unit and above. An idea of a board one may not see is
"not found", across units and tenants alike. Public pages read by the board's key and show
published ideas only."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from voxloop.errors import NotFound
from voxloop.ideas.models import Audience, Board, Comment, Idea, Status, Visibility
from voxloop.tenancy.models import subtree_q
from voxloop.tenancy.scoping import Capability, Scope

ORDERS = {"rank": ("-score", "-id"), "new": ("-created_at", "-id"), "top": ("-votes_count", "-id")}


def _ancestors(path: str) -> list[str]:
    return [path[:i] for i in range(10, len(path) + 1, 10)]


def visible_boards(scope: Scope) -> QuerySet[Board]:
    scope.require(Capability.VIEW)
    return Board.objects.filter(organization_id=scope.organization_id).filter(
        subtree_q(scope.unit_path, "unit_path") | Q(unit_path__in=_ancestors(scope.unit_path))
    )


def board(scope: Scope, board_id: int) -> Board:
    found = visible_boards(scope).filter(pk=board_id).select_related("unit").first()
    if found is None:
        raise NotFound("No such idea board.")
    return found


def can_moderate(scope: Scope, board: Board) -> bool:
    return scope.can(Capability.ACT) and scope.covers_path(board.unit_path)


def moderated_board(scope: Scope, board_id: int) -> Board:
    found = board(scope, board_id)
    scope.require(Capability.ACT)
    if not scope.covers_path(found.unit_path):
        raise NotFound("No such idea board.")
    return found


def ideas(scope: Scope, board: Board, *, order: str = "rank", status: str = "") -> QuerySet[Idea]:
    """The board's published ideas (merged ones left out), best first."""
    rows = Idea.objects.filter(
        board=board, organization_id=scope.organization_id, visibility=Visibility.PUBLISHED
    ).exclude(status=Status.MERGED)
    if status:
        rows = rows.filter(status=status)
    return rows.order_by(*ORDERS.get(order, ORDERS["rank"]))


def idea(scope: Scope, idea_id: int) -> Idea:
    """An idea of a board the reader sees: published, or any if they moderate it."""
    found = (
        Idea.objects.filter(organization_id=scope.organization_id, pk=idea_id)
        .select_related("board", "merged_into", "plan")
        .first()
    )
    if found is None:
        raise NotFound("No such idea.")
    board(scope, found.board_id)  # NotFound when the board is out of sight
    if found.visibility != Visibility.PUBLISHED and not can_moderate(scope, found.board):
        raise NotFound("No such idea.")
    return found


def comments(target: Idea, *, moderator: bool = False) -> QuerySet[Comment]:
    rows = target.comments.all()
    return rows if moderator else rows.filter(visibility=Visibility.PUBLISHED)


def moderation_queue(scope: Scope) -> tuple[QuerySet[Idea], QuerySet[Comment]]:
    """Ideas and comments waiting, on boards the reader moderates (their subtree)."""
    scope.require(Capability.ACT)
    ideas_waiting = Idea.objects.filter(
        subtree_q(scope.unit_path, "unit_path"),
        organization_id=scope.organization_id,
        visibility=Visibility.PENDING,
    ).select_related("board")
    comments_waiting = Comment.objects.filter(
        subtree_q(scope.unit_path, "idea__unit_path"),
        idea__organization_id=scope.organization_id,
        visibility=Visibility.PENDING,
    ).select_related("idea")
    return ideas_waiting.order_by("created_at"), comments_waiting.order_by("created_at")


def comment_to_moderate(scope: Scope, comment_id: int) -> Comment:
    scope.require(Capability.ACT)
    found = (
        Comment.objects.filter(
            subtree_q(scope.unit_path, "idea__unit_path"),
            idea__organization_id=scope.organization_id,
            pk=comment_id,
        )
        .select_related("idea")
        .first()
    )
    if found is None:
        raise NotFound("No such comment.")
    return found


def has_voted(target: Idea, person_key: str) -> bool:
    return target.votes.filter(voter_key=person_key).exists()


def follows(target: Idea, person_key: str) -> bool:
    return target.followers.filter(follower_key=person_key).exists()


def ideas_of_plan(scope: Scope, plan_id: int) -> QuerySet[Idea]:
    """The ideas an action plan came from (for the plan's story)."""
    return Idea.objects.filter(organization_id=scope.organization_id, plan_id=plan_id).order_by(
        "-votes_count"
    )


# --- public pages (no scope: the board's unguessable key) -----------------------------------


def public_board(key: str) -> Board:
    found = Board.objects.filter(public_key=key, audience=Audience.CUSTOMERS).first()
    if found is None or not key:
        raise NotFound("No such idea board.")
    return found


def public_ideas(target: Board, *, order: str = "rank") -> QuerySet[Idea]:
    rows = target.ideas.filter(visibility=Visibility.PUBLISHED).exclude(status=Status.MERGED)
    return rows.order_by(*ORDERS.get(order, ORDERS["rank"]))


def public_idea(target: Board, idea_id: int) -> Idea:
    found = (
        target.ideas.filter(pk=idea_id, visibility=Visibility.PUBLISHED)
        .select_related("merged_into")
        .first()
    )
    if found is None:
        raise NotFound("No such idea.")
    return found


def merge_moves(duplicate: Idea, into: Idea) -> tuple[int, int]:
    """How many votes and followers a merge would move (those already on `into` stay one)."""
    voters = into.votes.values_list("voter_key", flat=True)
    following = into.followers.values_list("follower_key", flat=True)
    return (
        duplicate.votes.exclude(voter_key__in=voters).count(),
        duplicate.followers.exclude(follower_key__in=following).count(),
    )
