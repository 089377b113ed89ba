"""The privacy settings page: retention periods and masking, with what a shorter period
would delete shown before it is saved. Thin: the services decide and audit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from voxloop.privacy import retention, services
from voxloop.privacy.forms import LABELS, PolicyForm
from voxloop.privacy.models import PERIODS, PrivacyPolicy
from voxloop.privacy.selectors import policy_of
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on


def _confirmation(periods: dict) -> str:
    """What the admin saw the report for: a changed period after it needs a new report."""
    return ",".join("" if periods[name] is None else str(periods[name]) for name in PERIODS)


def _page(
    request: ScopedRequest,
    form: PolicyForm,
    policy: PrivacyPolicy,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "policy": policy,
        "can_change": services.at_the_top(actor=request.scope),
        "periods": [(label, getattr(policy, name)) for name, (label, _help) in LABELS.items()],
        **extra,
    }
    return render(request, "privacy/settings.html", context, status=status)


@admin_required
def settings_page(request: ScopedRequest) -> HttpResponse:
    """Every admin reads the organisation's policy; the admins at its top unit change it."""
    scope = request.scope
    policy = policy_of(scope.organization_id)
    if request.method != "POST":
        initial = {**policy.periods, "mask_at_capture": policy.mask_at_capture}
        return _page(request, PolicyForm(initial=initial), policy)
    if not services.at_the_top(actor=scope):
        raise PermissionDenied
    form = PolicyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, policy, status=400)
    periods = {name: form.cleaned_data[name] for name in PERIODS}
    shorter = services.shortened(policy=policy, periods=periods)
    if shorter and request.POST.get("confirmed") != _confirmation(periods):
        report = retention.report(organization_id=scope.organization_id, periods=periods)
        confirmation = _confirmation(periods)
        return _page(request, form, policy, report=report, confirmation=confirmation)
    with domain_errors_on(form):
        services.update_policy(
            actor=scope, **periods, mask_at_capture=form.cleaned_data["mask_at_capture"]
        )
        messages.success(request, _("Privacy settings saved."))
        return redirect("privacy:settings")
    return _page(request, form, policy, status=400)
