"""Kiosk pages: the admin registers a capture device for a unit, sees its token once, and
revokes it. The kiosks themselves belong to the responses app (responses.kiosks)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.distribution.forms import KioskForm
from voxloop.responses import kiosks
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions


def _list_page(
    request: ScopedRequest, form: KioskForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    context = {
        "kiosks": kiosks.visible_kiosks(actor=scope).order_by("revoked_at", "name"),
        "form": form or KioskForm(),
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "distribution/kiosks.html", context, status=status)


@admin_required
def kiosk_list(request: ScopedRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@admin_required
def kiosk_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = KioskForm(request.POST)
    if form.is_valid():
        unit = resolve_unit(form, scope, "unit_code")
        if not form.errors:
            with domain_errors_on(form):
                device, secret = kiosks.register(
                    actor=scope,
                    unit=unit or tenancy_selectors.unit(scope, scope.unit_id),
                    name=form.cleaned_data["name"],
                    channel=form.cleaned_data["channel"],
                )
                # Shown on this answer only (never in a URL, never again).
                context = {"kiosk": device, "secret": secret}
                return render(request, "distribution/kiosk_created.html", context)
    return _list_page(request, form=form, status=400)


@require_POST
@admin_required
def kiosk_revoke(request: ScopedRequest, kiosk_id: int) -> HttpResponse:
    device = kiosks.kiosk(actor=request.scope, kiosk_id=kiosk_id)
    if not confirm.given(request):
        lines = [
            _("The kiosk “%(name)s” stops sending answers at once.") % {"name": device.name},
            _("Answers it already sent stay."),
            _("A revoked token cannot work again: register the kiosk anew to use it."),
        ]
        return confirm.ask(
            request,
            title=_("Revoke the kiosk's token?"),
            consequences=lines,
            confirm_label=_("Revoke its token"),
            back_url=reverse("distribution:kiosks"),
        )
    kiosks.revoke(actor=request.scope, device=device)
    messages.success(request, _("The kiosk's token no longer works."))
    return redirect("distribution:kiosks")
