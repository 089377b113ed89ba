"""The embeddable widget of a customer board: which sites may show the board in their pages.

An admin lists the sites' origins; the board's framed page (`public_views.public_embed`) may
be framed by those and no other (`frame-ancestors`). The widget itself is a static script
(`static/ideas/board-widget.js`) that puts the framed page into the customer's page; reading
the top ideas happens in the frame, and taking part (posting, voting with the email proof)
opens the public board in a tab of its own, where the proof's cookie works. Decision 0040."""

from __future__ import annotations

from django.db import transaction

from voxloop.errors import InvalidInput, NotFound
from voxloop.ideas.models import Audience, Board
from voxloop.origins import normal_origin
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

MAX_ORIGINS = 20


def _origins(values: list[str]) -> list[str]:
    origins: list[str] = []
    for value in values:
        origin = normal_origin(value)
        if not origin:
            raise InvalidInput(
                f"'{str(value)[:80]}' is not an origin like https://shop.example.com.",
                "allowed_origins",
            )
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise InvalidInput(f"At most {MAX_ORIGINS} origins.", "allowed_origins")
    return origins


@transaction.atomic
def set_allowed_origins(*, actor: Scope, board: Board, origins: list[str]) -> Board:
    """The sites that may show this customer board (admins of its unit or above)."""
    actor.require(Capability.CONFIGURE)
    if board.organization_id != actor.organization_id or not actor.covers_path(board.unit_path):
        raise NotFound("No such idea board.")
    if board.audience != Audience.CUSTOMERS:
        raise InvalidInput("Only a customer board can be shown on other sites.", "allowed_origins")
    board.allowed_origins = _origins(origins)
    board.save(update_fields=["allowed_origins"])
    record_audit(
        actor=actor,
        action="ideas.board.origins",
        target=board,
        changes={"allowed_origins": board.allowed_origins},
    )
    return board


def frame_ancestors(board: Board) -> str:
    return " ".join(board.allowed_origins) or "'none'"
