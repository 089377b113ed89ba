"""Idea boards over the API: boards one sees, their ranked ideas, posting and voting as the
signed-in member, and the moderators' status and merge. The same services and selectors as
the pages (customers use the public pages)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import page
from voxloop.api.schemas import Id
from voxloop.ideas import identity, ranking, selectors, services
from voxloop.ideas.models import Board, Idea
from voxloop.ideas.schemas import (
    BoardOut,
    IdeaIn,
    IdeaMergeIn,
    IdeaOut,
    IdeaPage,
    IdeaQuery,
    StatusIn,
    VoteOut,
)
from voxloop.tenancy.scoping import Capability

router = Router(tags=["ideas"])


def _me(request: HttpRequest) -> identity.Person:
    return identity.of_user(request.user)


def _board_out(board: Board) -> dict:
    return {
        "id": board.pk,
        "name": board.name,
        "audience": board.audience,
        "unit_id": board.unit_id,
        "description": board.description,
        "is_open": board.is_open,
        "moderate_first": board.moderate_first,
    }


def _idea_out(idea: Idea) -> dict:
    return {
        "id": idea.pk,
        "board_id": idea.board_id,
        "title": idea.title,
        "body": idea.body,
        "language": idea.language,
        "status": idea.status,
        "status_reason": idea.status_reason,
        "votes": idea.votes_count,
        "score": round(
            ranking.current(idea.score, timezone.localdate(), half_life=ranking.half_life_days()),
            3,
        ),
        "theme": idea.theme,
        "merged_into": idea.merged_into_id,
        "action_plan_id": idea.plan_id,
        "created_at": idea.created_at,
    }


@router.get("/idea-boards", response=list[BoardOut], url_name="idea_boards")
def list_boards(request: HttpRequest) -> list[dict]:
    """Boards of your part of the organisation and the units above it."""
    return [_board_out(b) for b in selectors.visible_boards(actor(request))]


@router.get("/idea-boards/{int:board_id}/ideas", response=IdeaPage, url_name="board_ideas")
def list_ideas(request: HttpRequest, board_id: Id, query: Query[IdeaQuery]) -> dict:
    scope = actor(request)
    board = selectors.board(scope, board_id)
    ideas = selectors.ideas(scope, board, order=query.order, status=query.status or "")
    return page(ideas, query, _idea_out)


@router.post(
    "/idea-boards/{int:board_id}/ideas", response={201: IdeaOut}, url_name="board_idea_create"
)
def post_idea(request: HttpRequest, board_id: Id, payload: IdeaIn) -> Status:
    """Post an idea as yourself (your vote comes with it)."""
    board = selectors.board(actor(request), board_id)
    idea = services.post_idea(
        board=board,
        author=_me(request),
        title=payload.title,
        body=payload.body,
        language=payload.language,
    )
    return Status(201, _idea_out(idea))


@router.get("/ideas/{int:idea_id}", response=IdeaOut, url_name="idea")
def get_idea(request: HttpRequest, idea_id: Id) -> dict:
    return _idea_out(selectors.idea(actor(request), idea_id))


@router.post("/ideas/{int:idea_id}/votes", response={200: VoteOut}, url_name="idea_vote")
def vote(request: HttpRequest, idea_id: Id) -> dict:
    """Your vote: one per person, so a second call counts nothing."""
    idea = selectors.idea(actor(request), idea_id)
    counted = services.vote(idea=idea, voter=_me(request))
    idea.refresh_from_db()
    target = idea.merged_into or idea
    return {"idea_id": target.pk, "counted": counted, "votes": target.votes_count}


@router.post("/ideas/{int:idea_id}/status", response=IdeaOut, url_name="idea_status")
def set_status(request: HttpRequest, idea_id: Id, payload: StatusIn) -> dict:
    """Moderators (admins and managers of the board's unit and above); followers are told."""
    scope = actor(request)
    scope.require(Capability.ACT)
    idea = selectors.idea(scope, idea_id)
    services.set_status(actor=scope, idea=idea, status=payload.status, reason=payload.reason)
    return _idea_out(selectors.idea(scope, idea_id))


@router.post("/ideas/{int:idea_id}/merge", response=IdeaOut, url_name="idea_merge")
def merge(request: HttpRequest, idea_id: Id, payload: IdeaMergeIn) -> dict:
    """Fold this duplicate into another idea; votes combine, one per person."""
    scope = actor(request)
    scope.require(Capability.ACT)
    duplicate = selectors.idea(scope, idea_id)
    into = selectors.idea(scope, payload.into)
    return _idea_out(services.merge(actor=scope, duplicate=duplicate, into=into))
