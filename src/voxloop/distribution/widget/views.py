"""Web widget pages: the list, creating and changing a widget, switching it on and off, and
the snippet to paste into the customer's site."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.distribution import selectors
from voxloop.distribution.forms import WidgetForm
from voxloop.distribution.widget import services as widgets
from voxloop.distribution.widget import visits
from voxloop.errors import DomainError
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required, is_admin, member_required
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.views.common import unit_code_suggestions

if TYPE_CHECKING:
    from django.http import QueryDict

    from voxloop.distribution.models import Widget
    from voxloop.surveys.models import Survey
    from voxloop.tenancy.models import OrgUnit


def _form(
    request: ScopedRequest,
    data: QueryDict | None = None,
    initial: dict[str, Any] | None = None,
) -> WidgetForm:
    surveys = survey_selectors.visible_surveys(request.scope).exclude(status="closed")
    return WidgetForm(data, initial=initial, surveys=surveys)


def _list_page(
    request: ScopedRequest, form: WidgetForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    context = {"widgets": selectors.visible_widgets(scope), "can_configure": is_admin(request)}
    if context["can_configure"]:
        context["form"] = form or _form(request)
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "distribution/widgets.html", context, status=status)


def _detail_page(
    request: ScopedRequest, widget: Widget, form: WidgetForm | None = None, status: int = 200
) -> HttpResponse:
    context = {
        "widget": widget,
        "snippet": visits.snippet(widget, settings.BASE_URL),
        "can_configure": is_admin(request),
    }
    if context["can_configure"]:
        context["form"] = form or _form(request, initial=WidgetForm.initial_for(widget))
        context["unit_codes"] = unit_code_suggestions(request.scope)
        # An admin of another part of the organisation may read the widget, not sign for it.
        with contextlib.suppress(DomainError):
            context["identity_secret"] = widgets.identity_secret(actor=request.scope, widget=widget)
    return render(request, "distribution/widget.html", context, status=status)


def _place(request: ScopedRequest, form: WidgetForm) -> tuple[OrgUnit | None, Survey | None]:
    """The unit and survey the form names, inside the actor's scope (form errors if not)."""
    scope, data = request.scope, form.cleaned_data
    unit = resolve_unit(form, scope, "unit_code") if data["unit_code"] else None
    if form.errors:
        return None, None
    return unit, survey_selectors.survey(scope, data["survey"])


@member_required
def widget_list(request: ScopedRequest) -> HttpResponse:
    return _list_page(request)


@require_POST
@admin_required
def widget_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = _form(request, request.POST)
    if form.is_valid():
        unit, survey = _place(request, form)
        if not form.errors and survey is not None:
            with domain_errors_on(form):
                widget = widgets.create_widget(
                    actor=scope,
                    unit=unit or tenancy_selectors.unit(scope, scope.unit_id),
                    survey=survey,
                    **{name: form.cleaned_data[name] for name in widgets.SETTINGS},
                )
                messages.success(request, _("Widget saved. Paste its snippet into your site."))
                return redirect("distribution:widget", widget.pk)
    return _list_page(request, form=form, status=400)


@member_required
def widget_detail(request: ScopedRequest, widget_id: int) -> HttpResponse:
    return _detail_page(request, selectors.widget(request.scope, widget_id))


@require_POST
@admin_required
def widget_edit(request: ScopedRequest, widget_id: int) -> HttpResponse:
    scope = request.scope
    widget = selectors.widget(scope, widget_id)
    form = _form(request, request.POST)
    if form.is_valid():
        unit, survey = _place(request, form)
        if not form.errors:
            with domain_errors_on(form):
                widgets.update_widget(
                    actor=scope,
                    widget=widget,
                    unit=unit,
                    survey=survey,
                    **{name: form.cleaned_data[name] for name in widgets.SETTINGS},
                )
                messages.success(request, _("Widget saved."))
                return redirect("distribution:widget", widget.pk)
    return _detail_page(request, widget, form=form, status=400)


@require_POST
@admin_required
def widget_action(request: ScopedRequest, widget_id: int, action: str) -> HttpResponse:
    widget = selectors.widget(request.scope, widget_id)
    if action not in ("activate", "deactivate", "rotate-secret"):
        return render(request, "web/error.html", {"message": _("Unknown action.")}, status=400)
    if action == "rotate-secret" and not confirm.given(request):
        lines = [
            _("The current identity secret stops working at once."),
            _("Until the web shop signs user ids with the new one, its visitors answer without "
              "being recognised."),
        ]  # fmt: skip
        return confirm.ask(
            request,
            title=_("Make a new identity secret for “%(name)s”?") % {"name": widget.name},
            consequences=lines,
            confirm_label=_("Make a new secret"),
            back_url=reverse("distribution:widget", args=[widget.pk]),
        )
    try:
        if action == "rotate-secret":
            widgets.rotate_identity_secret(actor=request.scope, widget=widget)
        else:
            widgets.set_widget_active(
                actor=request.scope, widget=widget, active=action == "activate"
            )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        done = _("New identity secret: sign user ids with it from now on.")
        messages.success(request, done if action == "rotate-secret" else _("Widget updated."))
    return redirect("distribution:widget", widget.pk)
