"""The idea boards inside the product: boards of one's part of the organisation, an employee
board's ideas (post, vote, comment, follow) and the moderators' work on an idea (status,
merge, theme, action plan) and the moderation queue. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from voxloop.errors import NotFound
from voxloop.ideas import embedding, identity, selectors, services
from voxloop.ideas.forms import (
    BoardForm,
    CommentForm,
    EmbedForm,
    IdeaForm,
    MergeForm,
    ModerateForm,
    PlanForm,
    PromoteForm,
    StatusForm,
    ThemeForm,
)
from voxloop.ideas.models import Audience, Board, Idea, Status
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required, capability_required, member_required
from voxloop.web.forms import domain_errors_on, resolve_unit

PAGE = 30


def _me(request: ScopedRequest) -> identity.Person:
    return identity.of_user(request.user)


@member_required
@require_GET
def board_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    context = {
        "boards": selectors.visible_boards(request.scope).select_related("unit"),
        "form": BoardForm() if scope.can(Capability.CONFIGURE) else None,
        "can_moderate": scope.can(Capability.ACT),
    }
    return render(request, "ideas/boards.html", context)


@admin_required
@require_POST
def board_create(request: ScopedRequest) -> HttpResponse:
    form = BoardForm(request.POST)
    if form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            with domain_errors_on(form):
                data = form.cleaned_data
                board = services.create_board(
                    actor=request.scope,
                    unit=unit,
                    name=data["name"],
                    audience=data["audience"],
                    description=data["description"],
                    moderate_first=data["moderate_first"],
                )
                return redirect("ideas:board", board_id=board.pk)
    context = {"boards": selectors.visible_boards(request.scope), "form": form}
    return render(request, "ideas/boards.html", context, status=400)


def _board_context(request: ScopedRequest, board_id: int, **extra: Any) -> dict[str, Any]:
    scope = request.scope
    board = selectors.board(scope, board_id)
    order = request.GET.get("order", "rank")
    status = request.GET.get("status", "")
    if status not in Status.values:
        status = ""
    page = Paginator(selectors.ideas(scope, board, order=order, status=status), PAGE).get_page(
        request.GET.get("page")
    )
    return {
        "board": board,
        "page": page,
        "ideas": page.object_list,
        "order": order,
        "status": status,
        "statuses": Status.choices,
        "can_moderate": selectors.can_moderate(scope, board),
        "public_url": request.build_absolute_uri(
            reverse("ideas:public_board", args=[board.public_key])
        )
        if board.audience == Audience.CUSTOMERS
        else "",
        "form": IdeaForm(),
        "promote_form": PromoteForm(),
        **_embed_context(request, board),
    } | extra


def _embed_context(request: ScopedRequest, board: Board) -> dict[str, Any]:
    """The widget's snippet and its sites, for admins of a customer board."""
    if board.audience != Audience.CUSTOMERS or not request.scope.can(Capability.CONFIGURE):
        return {}
    script = request.build_absolute_uri(static("ideas/board-widget.js"))
    return {
        "embed_form": EmbedForm(initial={"allowed_origins": "\n".join(board.allowed_origins)}),
        "snippet": f'<script src="{script}" data-board="{board.public_key}" async></script>',
    }


@member_required
@require_GET
def board_view(request: ScopedRequest, board_id: int) -> HttpResponse:
    return render(request, "ideas/board.html", _board_context(request, board_id))


@admin_required
@require_POST
def board_embed(request: ScopedRequest, board_id: int) -> HttpResponse:
    board = selectors.board(request.scope, board_id)
    form = EmbedForm(request.POST)
    if form.is_valid():
        with domain_errors_on(form):
            embedding.set_allowed_origins(
                actor=request.scope, board=board, origins=form.cleaned_data["allowed_origins"]
            )
            messages.success(request, _("Saved."))
            return redirect("ideas:board", board_id=board.pk)
    context = _board_context(request, board_id, embed_form=form)
    return render(request, "ideas/board.html", context, status=400)


@member_required
@require_POST
def post_idea(request: ScopedRequest, board_id: int) -> HttpResponse:
    board = selectors.board(request.scope, board_id)
    form = IdeaForm(request.POST)
    if form.is_valid():
        with domain_errors_on(form):
            idea = services.post_idea(
                board=board,
                author=_me(request),
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                language=request.LANGUAGE_CODE,
            )
            messages.success(request, _("Thank you: your idea is posted."))
            return redirect("ideas:idea", idea_id=idea.pk)
    context = _board_context(request, board_id, form=form)
    return render(request, "ideas/board.html", context, status=400)


def _theme_names(request: ScopedRequest) -> list[str]:
    """Names of the themes text analytics sorts comments into, offered for an idea's theme
    so that ideas and comments speak of the same things."""
    from voxloop.textanalytics import selectors as text_selectors

    names: set[str] = set()
    for taxonomy in text_selectors.visible_taxonomies(request.scope)[:5]:
        _, themes = text_selectors.taxonomy_with_themes(request.scope, taxonomy.pk)
        names.update(theme.name for theme in themes)
    return sorted(names)


def _idea_context(request: ScopedRequest, idea: Idea, **extra: Any) -> dict[str, Any]:
    scope = request.scope
    me = _me(request)
    moderator = selectors.can_moderate(scope, idea.board)
    return {
        "idea": idea,
        "board": idea.board,
        "comments": selectors.comments(idea, moderator=moderator),
        "history": idea.history.all(),
        "voted": selectors.has_voted(idea, me.key),
        "following": selectors.follows(idea, me.key),
        "can_moderate": moderator,
        "comment_form": CommentForm(),
        "status_form": StatusForm(initial={"status": idea.status}),
        "merge_form": MergeForm(),
        "plan_form": PlanForm(initial={"title": idea.title}),
        "theme_form": ThemeForm(initial={"theme": idea.theme}),
        "theme_names": _theme_names(request) if moderator else [],
    } | extra


@member_required
@require_GET
def idea_view(request: ScopedRequest, idea_id: int) -> HttpResponse:
    idea = selectors.idea(request.scope, idea_id)
    return render(request, "ideas/idea.html", _idea_context(request, idea))


@member_required
@require_POST
def vote(request: ScopedRequest, idea_id: int) -> HttpResponse:
    idea = selectors.idea(request.scope, idea_id)
    me = _me(request)
    if selectors.has_voted(idea, me.key):
        services.withdraw_vote(idea=idea, voter=me)
    else:
        services.vote(idea=idea, voter=me)
    return redirect("ideas:idea", idea_id=idea.pk)


@member_required
@require_POST
def follow(request: ScopedRequest, idea_id: int) -> HttpResponse:
    idea = selectors.idea(request.scope, idea_id)
    me = _me(request)
    if selectors.follows(idea, me.key):
        services.unfollow(idea=idea, person=me)
    else:
        services.follow(idea=idea, person=me)
    return redirect("ideas:idea", idea_id=idea.pk)


@member_required
@require_POST
def comment(request: ScopedRequest, idea_id: int) -> HttpResponse:
    idea = selectors.idea(request.scope, idea_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        with domain_errors_on(form):
            if request.POST.get("official") and selectors.can_moderate(request.scope, idea.board):
                services.answer(actor=request.scope, idea=idea, body=form.cleaned_data["body"])
            else:
                services.add_comment(idea=idea, author=_me(request), body=form.cleaned_data["body"])
            return redirect("ideas:idea", idea_id=idea.pk)
    context = _idea_context(request, idea, comment_form=form)
    return render(request, "ideas/idea.html", context, status=400)


@capability_required(Capability.ACT)
@require_POST
def moderate_idea(request: ScopedRequest, idea_id: int, action: str) -> HttpResponse:
    """Status, merge, theme or plan: one moderator's form each, posted to its own address."""
    scope = request.scope
    idea = selectors.idea(scope, idea_id)
    form_class = {"status": StatusForm, "merge": MergeForm, "plan": PlanForm, "theme": ThemeForm}
    form = form_class[action](request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with domain_errors_on(form):
            if action == "status":
                if _declining(data) and not confirm.given(request):
                    return _ask_decline(request, idea)
                services.set_status(
                    actor=scope, idea=idea, status=data["status"], reason=data["reason"]
                )
            elif action == "merge":
                try:
                    into = selectors.idea(scope, data["into"])
                except NotFound:
                    raise NotFound("No such idea on this board.", "into") from None
                if _mergeable(idea, into) and not confirm.given(request):
                    return _ask_merge(request, idea, into)
                idea = services.merge(actor=scope, duplicate=idea, into=into)
            elif action == "plan":
                services.turn_into_plan(actor=scope, idea=idea, title=data["title"])
            else:
                services.set_theme(actor=scope, idea=idea, theme=data["theme"])
            return redirect("ideas:idea", idea_id=idea.pk)
    context = _idea_context(request, idea, **{f"{action}_form": form})
    return render(request, "ideas/idea.html", context, status=400)


def _declining(data: dict[str, Any]) -> bool:
    # Without a reason the service refuses it: that error comes first, not the question.
    return data["status"] == Status.DECLINED and bool(data["reason"].strip())


def _ask_decline(request: ScopedRequest, idea: Idea) -> HttpResponse:
    return confirm.ask(
        request,
        title=_("Decline idea #%(id)d?") % {"id": idea.pk},
        consequences=[
            _("Idea #%(id)d becomes 'declined'; its %(votes)d votes stay on it.")
            % {"id": idea.pk, "votes": idea.votes_count},
            _("Its %(n)d followers are emailed the reason.") % {"n": idea.followers.count()},
        ],
        confirm_label=_("Decline"),
        back_url=reverse("ideas:idea", args=[idea.pk]),
    )


def _mergeable(idea: Idea, into: Idea) -> bool:
    # A merge the service refuses gets its error at once, not a question first.
    merged = Status.MERGED in (idea.status, into.status)
    return idea.pk != into.pk and idea.board_id == into.board_id and not merged


def _ask_merge(request: ScopedRequest, idea: Idea, into: Idea) -> HttpResponse:
    votes, followers = selectors.merge_moves(idea, into)
    return confirm.ask(
        request,
        title=_("Merge idea #%(id)d into #%(into)d?") % {"id": idea.pk, "into": into.pk},
        consequences=[
            _(
                "Idea #%(id)d's %(votes)d votes and %(followers)d followers move to #%(into)d; "
                "#%(id)d becomes 'merged'."
            )
            % {"id": idea.pk, "votes": votes, "followers": followers, "into": into.pk},
            _("People who supported both count once. This cannot be undone."),
        ],
        confirm_label=_("Merge"),
        back_url=reverse("ideas:idea", args=[idea.pk]),
    )


@capability_required(Capability.ACT)
def moderation(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    if request.method == "POST":
        form = ModerateForm(request.POST)
        if not form.is_valid():
            return render(request, "web/error.html", {"message": _("Choose an item.")}, status=400)
        data = form.cleaned_data
        if data["kind"] == "idea":
            services.moderate_idea(
                actor=scope, idea=selectors.idea(scope, data["item"]), publish=data["publish"]
            )
        else:
            services.moderate_comment(
                actor=scope,
                comment=selectors.comment_to_moderate(scope, data["item"]),
                publish=data["publish"],
            )
        return redirect("ideas:moderation")
    waiting_ideas, waiting_comments = selectors.moderation_queue(scope)
    context = {"waiting_ideas": waiting_ideas[:100], "waiting_comments": waiting_comments[:100]}
    return render(request, "ideas/moderation.html", context)


@capability_required(Capability.ACT)
@require_POST
def promote(request: ScopedRequest, board_id: int) -> HttpResponse:
    scope = request.scope
    board = selectors.moderated_board(scope, board_id)
    form = PromoteForm(request.POST)
    if form.is_valid():
        with domain_errors_on(form):
            idea = services.promote_comment(actor=scope, board=board, **form.cleaned_data)
            return redirect("ideas:idea", idea_id=idea.pk)
    context = _board_context(request, board_id, promote_form=form)
    return render(request, "ideas/board.html", context, status=400)
