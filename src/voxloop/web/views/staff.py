"""The scoped staff list; admins add frontline staff to a unit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.tenancy import selectors, services
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required, is_admin, records_required
from voxloop.web.forms import (
    StaffAddForm,
    StaffFilterForm,
    domain_errors_on,
    resolve_unit,
)
from voxloop.web.paging import paginate, query_without_page
from voxloop.web.views.common import unit_code_suggestions


def _render_staff(
    request: ScopedRequest, add_form: StaffAddForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    form = StaffFilterForm(request.GET or None)
    unit = None
    search = ""
    if form.is_valid():
        search = form.cleaned_data["q"].strip()
        unit = resolve_unit(form, scope, "unit")
    unit_filter_failed = bool(form.is_bound and form.errors)
    staff = selectors.visible_staff(scope, unit_id=unit.pk if unit else None, search=search)
    context: dict[str, Any] = {
        "form": form,
        "unit": unit,
        "page": None if unit_filter_failed else paginate(request, staff),
        "query": query_without_page(request),
        "can_configure": is_admin(request),
    }
    if context["can_configure"]:
        context["add_form"] = add_form or StaffAddForm(initial={"unit_code": unit and unit.code})
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "web/staff/list.html", context, status=status)


@records_required
def staff_list(request: ScopedRequest) -> HttpResponse:
    return _render_staff(request)


@require_POST
@admin_required
def staff_add(request: ScopedRequest) -> HttpResponse:
    form = StaffAddForm(request.POST)
    if form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            data = form.cleaned_data
            with domain_errors_on(form):
                member = services.add_staff(
                    actor=request.scope,
                    unit=unit,
                    name=data["name"],
                    code=data["code"],
                    email=data["email"],
                    job_title=data["job_title"],
                )
                messages.success(request, _("%(name)s added to the staff.") % {"name": member.name})
                return redirect(f"{reverse('web:staff')}?{urlencode({'unit': unit.code})}")
    return _render_staff(request, add_form=form, status=400)
