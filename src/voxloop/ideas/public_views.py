"""A customer board's public pages: no sign-in, the board's unguessable key in the address.

Anyone reads the published ideas. To post, vote, comment or follow, a person first proves an
email address: the link sent to it sets a signed cookie (identity.py). Every write is rate
limited per client address, and forms with the honeypot filled are dropped as robots'. New
ideas and comments wait for a moderator when the board says so (customer boards do by
default). Decision 0040."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from voxloop import counters
from voxloop.clients import request_ip
from voxloop.errors import DomainError, NotFound
from voxloop.ideas import embedding, identity, selectors, services
from voxloop.ideas.forms import PublicCommentForm, PublicIdeaForm, VerifyForm
from voxloop.ideas.models import Board, Idea
from voxloop.web.forms import domain_errors_on

HOUR = 3600


def _limit(kind: str) -> int:
    defaults = {"write": 30, "mail": 5, "mail_address": 3}
    limits = getattr(settings, "IDEAS_PUBLIC_LIMITS", {})
    return int(limits.get(kind, defaults[kind]))


def _allowed(request: HttpRequest, kind: str, who: str = "") -> bool:
    name = f"ideas:{kind}:{who or request_ip(request) or 'unknown'}"
    return counters.hit(name, HOUR).count <= _limit(kind)


def _too_many(request: HttpRequest) -> HttpResponse:
    page = render(
        request,
        "ideas/public_message.html",
        {"title": _("Too many requests"), "text": _("Please wait a while and try again.")},
        status=429,
    )
    page["Retry-After"] = str(HOUR)
    return page


def _board(key: str) -> Board:
    try:
        return selectors.public_board(key)
    except NotFound:
        raise Http404 from None


def _person(request: HttpRequest, board: Board) -> identity.Person | None:
    value = request.get_signed_cookie(identity.COOKIE_NAME, default=None, salt=identity.COOKIE_SALT)
    return identity.person_from_cookie(value, board.organization_id)


def _context(request: HttpRequest, board: Board, **extra: Any) -> dict[str, Any]:
    person = _person(request, board)
    return {
        "board": board,
        "person": person,
        "verify_form": VerifyForm(),
        "locale": request.LANGUAGE_CODE,
    } | extra


@require_http_methods(["GET", "POST"])
def public_board(request: HttpRequest, key: str) -> HttpResponse:
    board = _board(key)
    order = request.GET.get("order", "rank")
    form = PublicIdeaForm()
    if request.method == "POST":
        person = _person(request, board)
        if person is None:
            return redirect("ideas:public_board", key=key)
        form = PublicIdeaForm(request.POST)
        if form.is_robot():
            return redirect("ideas:public_board", key=key)
        if not _allowed(request, "write"):
            return _too_many(request)
        if form.is_valid():
            with domain_errors_on(form):
                services.post_idea(
                    board=board,
                    author=person,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    language=request.LANGUAGE_CODE,
                )
                return redirect(reverse("ideas:public_board", args=[key]) + "?posted=1")
    ideas = selectors.public_ideas(board, order=order)[:100]
    context = _context(
        request, board, ideas=ideas, form=form, order=order, posted=request.GET.get("posted")
    )
    return render(request, "ideas/public_board.html", context, status=400 if form.errors else 200)


def _idea_page(request: HttpRequest, board: Board, idea: Idea, **extra: Any) -> HttpResponse:
    person = _person(request, board)
    context = _context(
        request,
        board,
        idea=idea,
        comments=selectors.comments(idea),
        history=idea.history.all(),
        voted=bool(person and selectors.has_voted(idea, person.key)),
        following=bool(person and selectors.follows(idea, person.key)),
        comment_form=extra.pop("comment_form", PublicCommentForm()),
    )
    return render(
        request, "ideas/public_idea.html", context | extra, status=extra.get("status", 200)
    )


@require_http_methods(["GET", "POST"])
def public_idea(request: HttpRequest, key: str, idea_id: int) -> HttpResponse:
    board = _board(key)
    try:
        idea = selectors.public_idea(board, idea_id)
    except NotFound:
        raise Http404 from None
    if request.method == "GET":
        return _idea_page(request, board, idea)
    person = _person(request, board)
    if person is None:
        return redirect("ideas:public_idea", key=key, idea_id=idea.pk)
    if not _allowed(request, "write"):
        return _too_many(request)
    action = request.POST.get("action", "")
    try:
        if action == "vote":
            services.vote(idea=idea, voter=person, origin=identity.origin_of(request_ip(request)))
        elif action == "unvote":
            services.withdraw_vote(idea=idea, voter=person)
        elif action == "follow":
            services.follow(idea=idea, person=person)
        elif action == "unfollow":
            services.unfollow(idea=idea, person=person)
        elif action == "comment":
            form = PublicCommentForm(request.POST)
            if form.is_robot():
                return redirect("ideas:public_idea", key=key, idea_id=idea.pk)
            if not form.is_valid():
                return _idea_page(request, board, idea, comment_form=form, status=400)
            services.add_comment(idea=idea, author=person, body=form.cleaned_data["body"])
        else:
            return _idea_page(request, board, idea, error=_("Choose what to do."), status=400)
    except DomainError as error:
        return _idea_page(request, board, idea, error=error.message, status=400)
    return redirect("ideas:public_idea", key=key, idea_id=idea.pk)


EMBED_TOP = 10


@require_GET
def public_embed(request: HttpRequest, key: str) -> HttpResponse:
    """The board as the widget frames it on a customer's site: its top ideas, each opening the
    public board in a tab of its own to vote, comment or post (a third-party frame gets neither
    the proof's cookie nor the form's CSRF cookie). Only the board's allowed sites may frame
    it."""
    board = _board(key)
    context = {
        "board": board,
        "ideas": selectors.public_ideas(board, order="top")[:EMBED_TOP],
        "locale": request.LANGUAGE_CODE,
    }
    answer = render(request, "ideas/embed.html", context)
    answer["Content-Security-Policy"] = f"frame-ancestors {embedding.frame_ancestors(board)}"
    answer.xframe_options_exempt = True
    return answer


@require_POST
def public_verify(request: HttpRequest, key: str) -> HttpResponse:
    """Send a link that proves the address (the same answer whether or not it is sent, so
    the page says nothing about the address)."""
    board = _board(key)
    form = VerifyForm(request.POST)
    if form.is_robot():
        return _sent(request, board)
    if not form.is_valid():
        return render(
            request,
            "ideas/public_board.html",
            _context(
                request,
                board,
                verify_form=form,
                ideas=selectors.public_ideas(board)[:100],
                form=PublicIdeaForm(),
            ),
            status=400,
        )
    address = form.cleaned_data["email"]
    try:
        normal = identity.normalised_email(address)
    except DomainError as error:
        form.add_error("email", error.message)
        return render(
            request,
            "ideas/public_board.html",
            _context(request, board, verify_form=form, ideas=[], form=PublicIdeaForm()),
            status=400,
        )
    if not _allowed(request, "mail"):
        return _too_many(request)
    if _allowed(request, "mail_address", who=identity.email_key(normal)):
        token = identity.verification_token(
            organization_id=board.organization_id, address=address, name=form.cleaned_data["name"]
        )
        link = request.build_absolute_uri(reverse("ideas:public_confirm", args=[key, token]))
        body = _(
            "Open this link to vote and post ideas on %(board)s:\n\n%(link)s\n\n"
            "If you did not ask for it, ignore this message."
        ) % {"board": board.name, "link": link}
        EmailMessage(_("Confirm your email"), body, settings.DEFAULT_FROM_EMAIL, [address]).send()
    return _sent(request, board)


def _sent(request: HttpRequest, board: Board) -> HttpResponse:
    return render(
        request,
        "ideas/public_message.html",
        {
            "board": board,
            "title": _("Check your email"),
            "text": _("We sent you a link. Open it on this device to take part."),
        },
    )


@require_GET
def public_confirm(request: HttpRequest, key: str, token: str) -> HttpResponse:
    """The link from the email: sets the signed cookie. It votes for nothing (mail scanners
    open links), it only proves the address to this browser."""
    board = _board(key)
    person = identity.verified_person(token, board.organization_id)
    if person is None:
        return render(
            request,
            "ideas/public_message.html",
            {
                "board": board,
                "title": _("This link does not work"),
                "text": _("It may have expired. Ask for a new one on the board."),
            },
            status=400,
        )
    answer = redirect("ideas:public_board", key=key)
    answer.set_signed_cookie(
        identity.COOKIE_NAME,
        identity.cookie_value(person, board.organization_id),
        salt=identity.COOKIE_SALT,
        max_age=identity.COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path=reverse("ideas:public_board", args=[key]),
    )
    return answer
