"""The admin's webhook pages: subscriptions of their subtree, each with its delivery log,
replay, secret rotation and deletion (after a confirmation). Thin: services decide and audit."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.tenancy.scoping import Scope, ScopedRequest
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions
from voxloop.webhooks import selectors, services
from voxloop.webhooks.forms import DeliveryFilterForm, SubscriptionForm
from voxloop.webhooks.models import Subscription

SHOWN_ONCE = "webhook-secret-{}"  # the session holds a new secret until its page shows it
PAGE = 50


def _scope(request: ScopedRequest) -> Scope:
    """The member's scope (ActiveMembershipMiddleware sets it; admin_required checked it)."""
    return request.scope


def _form_page(request: ScopedRequest, form: SubscriptionForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "unit_codes": unit_code_suggestions(_scope(request))}
    return render(request, "webhooks/new.html", context, status=status)


@admin_required
def subscription_list(request: ScopedRequest) -> HttpResponse:
    subscriptions = selectors.visible_subscriptions(_scope(request))
    return render(request, "webhooks/list.html", {"subscriptions": subscriptions})


def _fields(form: SubscriptionForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {name: data[name] for name in ("name", "destination", "url", "events", "language")}


@admin_required
def subscription_new(request: ScopedRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, SubscriptionForm(initial={"is_active": True}))
    form = SubscriptionForm(request.POST)
    unit = resolve_unit(form, _scope(request), "unit_code") if form.is_valid() else None
    if unit is None:
        return _form_page(request, form, status=400)
    with domain_errors_on(form):
        subscription, secret = services.create_subscription(
            actor=_scope(request), unit=unit, **_fields(form)
        )
        request.session[SHOWN_ONCE.format(subscription.pk)] = secret
        messages.success(request, _("Subscription created."))
        return redirect("webhooks:detail", subscription_id=subscription.pk)
    return _form_page(request, form, status=400)


def _initial(subscription: Subscription) -> dict[str, Any]:
    return {
        "name": subscription.name,
        "unit_code": subscription.unit.code,
        "destination": subscription.destination,
        "url": subscription.url,
        "events": subscription.events,
        "language": subscription.language,
        "is_active": subscription.is_active,
    }


def _detail_page(
    request: ScopedRequest, subscription: Subscription, form: SubscriptionForm, status: int = 200
) -> HttpResponse:
    filters = DeliveryFilterForm(request.GET)
    status_filter = filters.cleaned_data["status"] if filters.is_valid() else ""
    log = selectors.deliveries(_scope(request), subscription.pk, status=status_filter)
    page = Paginator(log, PAGE).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription,
        "form": form,
        "filters": filters,
        "page": page,
        "query": urlencode({"status": status_filter}) if status_filter else "",
        "secret": request.session.pop(SHOWN_ONCE.format(subscription.pk), None),
        "unit_codes": unit_code_suggestions(_scope(request)),
    }
    return render(request, "webhooks/detail.html", context, status=status)


@admin_required
def subscription_detail(request: ScopedRequest, subscription_id: int) -> HttpResponse:
    scope = _scope(request)
    subscription = selectors.subscription(scope, subscription_id)
    if request.method != "POST":
        return _detail_page(request, subscription, SubscriptionForm(initial=_initial(subscription)))
    form = SubscriptionForm(request.POST)
    unit = resolve_unit(form, scope, "unit_code") if form.is_valid() else None
    if unit is None:
        return _detail_page(request, subscription, form, status=400)
    with domain_errors_on(form):
        services.update_subscription(
            actor=scope,
            subscription=subscription,
            unit=unit,
            is_active=form.cleaned_data["is_active"],
            **_fields(form),
        )
        messages.success(request, _("Subscription saved."))
        return redirect("webhooks:detail", subscription_id=subscription.pk)
    return _detail_page(request, subscription, form, status=400)


@admin_required
@require_POST
def rotate(request: ScopedRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.subscription(_scope(request), subscription_id)
    secret = services.rotate_secret(actor=_scope(request), subscription=subscription)
    request.session[SHOWN_ONCE.format(subscription.pk)] = secret
    messages.success(request, _("New secret made. The old one keeps signing for 24 hours."))
    return redirect("webhooks:detail", subscription_id=subscription.pk)


@admin_required
def delete(request: ScopedRequest, subscription_id: int) -> HttpResponse:
    subscription = selectors.subscription(_scope(request), subscription_id)
    if request.method != "POST":
        return render(request, "webhooks/delete.html", {"subscription": subscription})
    services.delete_subscription(actor=_scope(request), subscription=subscription)
    messages.success(request, _("Subscription deleted."))
    return redirect("webhooks:list")


@admin_required
@require_POST
def replay(request: ScopedRequest, delivery_id: int) -> HttpResponse:
    found = selectors.delivery(_scope(request), delivery_id)
    services.replay(actor=_scope(request), delivery=found)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("webhooks:detail", subscription_id=found.subscription_id)
