"""The review pages: the list with its figures (scoped to the member's subtree, filtered by
source, rating, sentiment, theme and period), one review with its history and the reply box,
and the admin's erasure of an author's name. Thin: selectors read, services write."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.errors import DomainError
from voxloop.reviews import benchmark, figures, page_parts, replies, selectors, services
from voxloop.reviews.forms import BenchmarkForm, ReplyForm, ReviewFilterForm
from voxloop.reviews.models import Review
from voxloop.reviews.selectors import ReviewFilters
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required, capability_required, records_required
from voxloop.web.forms import apply_domain_error, resolve_unit
from voxloop.web.views.common import unit_code_suggestions

PAGE = 25


def _filters(request: ScopedRequest) -> tuple[ReviewFilterForm, ReviewFilters, str]:
    scope = request.scope
    themes = sorted(
        {
            (t["key"], t.get("name") or t["key"])
            for found in selectors.counted_reviews(scope).values_list("themes", flat=True)[:5000]
            for t in found or []
        },
        key=lambda kv: kv[1],
    )
    form = ReviewFilterForm(
        request.GET or None, sources=selectors.source_choices(scope), themes=themes
    )
    if not form.is_valid():
        return form, ReviewFilters(), "unit"
    d = form.cleaned_data
    chosen = ReviewFilters(
        source_id=d.get("source"),
        rating=d.get("rating"),
        sentiment=d.get("sentiment") or "",
        theme=d.get("theme") or "",
        start=d.get("start"),
        end=d.get("end"),
    )
    return form, chosen, d.get("by") or "unit"


@capability_required(Capability.VIEW)
def review_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form, chosen, by = _filters(request)
    context: dict[str, Any] = {
        "form": form,
        "summary": figures.summary(scope, chosen),
        "breakdown": figures.breakdown(scope, chosen, by),
        "by": by,
        "filtered": bool(request.GET),
        "is_admin": scope.can(Capability.CONFIGURE),
    }
    if scope.can(Capability.READ_RECORDS):
        page = Paginator(selectors.visible_reviews(scope, chosen), PAGE).get_page(
            request.GET.get("page")
        )
        context |= {"page": page, "reviews": page.object_list}
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    return render(request, "reviews/list.html", context)


def _detail_context(request: ScopedRequest, review: Review, form: ReplyForm | None = None) -> dict:
    scope = request.scope
    templates = replies.reply_templates(scope, review) if scope.can(Capability.ACT) else []
    return {
        "review": review,
        "versions": selectors.versions(review),
        "replies": selectors.replies(review),
        "reply_form": form or ReplyForm(templates=templates),
        "can_reply": scope.can(Capability.ACT),
        "can_erase": scope.can(Capability.CONFIGURE),
        "case_id": request.GET.get("case") or request.POST.get("case") or "",
        "open_url": replies.reply_url(review),
        "posts_replies": _posts_replies(review),
    }


def _posts_replies(review: Review) -> bool:
    from voxloop.reviews import fetching
    from voxloop.reviews.connectors import connector
    from voxloop.reviews.connectors.base import posts_replies

    return posts_replies(connector(review.source.kind), fetching.config_of(review.source))


@capability_required(Capability.VIEW)
def benchmark_view(request: ScopedRequest) -> HttpResponse:
    """My locations against competitors' in a region (the member's unit unless one is named)."""
    scope = request.scope
    form = BenchmarkForm(request.GET or None)
    chosen = ReviewFilters()
    if form.is_valid():
        unit = resolve_unit(form, scope, "unit_code") if form.cleaned_data["unit_code"] else None
        chosen = ReviewFilters(
            unit_id=unit.pk if unit else None,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
    result = benchmark.benchmark(scope, chosen)
    context = {
        "form": form,
        "result": result,
        "charts": page_parts.benchmark_charts(result),
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "reviews/benchmark.html", context)


def follow_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Public: a review invitation's link, counted, then on to the public review page."""
    page = services.follow_invitation(token=token[:2000])
    if not page:
        return render(
            request,
            "web/error.html",
            {"message": _("This review link is not valid any more.")},
            status=404,
        )
    return redirect(page)


@records_required
def review_detail(request: ScopedRequest, review_id: int) -> HttpResponse:
    review = selectors.review(request.scope, review_id)
    return render(request, "reviews/detail.html", _detail_context(request, review))


def _case_id(raw: str) -> int | None:
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


@require_POST
@capability_required(Capability.ACT)
def review_reply(request: ScopedRequest, review_id: int) -> HttpResponse:
    """ "Use template" fills the box from a playbook; "Send" posts it or hands it over."""
    scope = request.scope
    review = selectors.review(scope, review_id)
    form = ReplyForm(request.POST, templates=replies.reply_templates(scope, review))
    if not form.is_valid():
        return render(
            request, "reviews/detail.html", _detail_context(request, review, form), status=400
        )
    if request.POST.get("action") == "draft":
        try:
            text = replies.draft(scope, review, form.cleaned_data["playbook"])
        except DomainError as error:
            apply_domain_error(form, error)
            return render(
                request, "reviews/detail.html", _detail_context(request, review, form), status=400
            )
        filled = ReplyForm(
            initial={"text": text, "playbook": form.cleaned_data["playbook"]},
            templates=replies.reply_templates(scope, review),
        )
        return render(request, "reviews/detail.html", _detail_context(request, review, filled))
    try:
        outcome = replies.send_reply(
            scope=scope,
            review=review,
            text=form.cleaned_data["text"],
            case_id=_case_id(request.POST.get("case", "")),
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return render(
            request, "reviews/detail.html", _detail_context(request, review, form), status=400
        )
    if outcome.posted:
        messages.success(request, _("Reply posted."))
    elif outcome.reply.error:
        messages.error(
            request, _("The provider refused the reply: %(error)s") % {"error": outcome.reply.error}
        )
    else:
        messages.info(request, _("Copy the reply and post it on the provider's page."))
    return redirect("reviews:review", review_id=review.pk)


@require_POST
@admin_required
def erase_author(request: ScopedRequest, review_id: int) -> HttpResponse:
    scope = request.scope
    review = selectors.review(scope, review_id)
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Erase the author's name?"),
            consequences=[
                _(
                    "The name is removed from every review of this source under that name "
                    "and from their earlier versions."
                ),
                _("It cannot be undone; a later fetch does not bring it back."),
            ],
            confirm_label=_("Erase the name"),
            back_url=reverse("reviews:review", args=[review.pk]),
        )
    count = services.erase_author(scope=scope, review=review)
    messages.success(request, _("The name was erased from %(n)d review(s).") % {"n": count})
    return redirect("reviews:review", review_id=review.pk)
