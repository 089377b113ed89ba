"""The organisation browser: the scoped unit list and a unit's page with the admin's edits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.errors import DomainError
from voxloop.tenancy import selectors, services
from voxloop.tenancy.models import OrgUnit, UnitKind
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required, is_admin, member_required, reads_records
from voxloop.web.forms import (
    UnitCreateForm,
    UnitEditForm,
    UnitFilterForm,
    UnitMoveForm,
    apply_domain_error,
    domain_errors_on,
    resolve_unit,
)
from voxloop.web.paging import paginate, query_without_page
from voxloop.web.views.common import unit_code_suggestions

STAFF_SHOWN = 50


@member_required
def unit_list(request: ScopedRequest) -> HttpResponse:
    form = UnitFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    units = selectors.visible_units(
        request.scope, kind=filters.get("kind") or None, search=filters.get("q", "").strip()
    )
    context = {
        "form": form,
        "page": paginate(request, units),
        "query": query_without_page(request),
    }
    return render(request, "web/units/list.html", context)


def _edit_form(unit: OrgUnit) -> UnitEditForm:
    return UnitEditForm(
        initial={
            "name": unit.name,
            "kind": unit.kind,
            "code": unit.code,
            "is_active": unit.is_active,
            "time_zone": unit.time_zone,
        }
    )


def _render_unit(
    request: ScopedRequest, unit: OrgUnit, status: int = 200, **forms: Any
) -> HttpResponse:
    scope = request.scope
    counts = selectors.subtree_counts(scope, unit)
    admin = is_admin(request)
    context = {
        "unit": unit,
        "breadcrumb": selectors.ancestors(scope, unit),
        "children": paginate(request, selectors.visible_units(scope, parent_id=unit.pk)),
        "staff": selectors.visible_staff(scope, unit_id=unit.pk)[:STAFF_SHOWN]
        if reads_records(request)
        else None,
        "kind_counts": [(kind.label, counts[kind]) for kind in UnitKind if counts.get(kind)],
        "is_scope_root": unit.pk == scope.unit_id,
        "can_configure": admin,
    }
    if admin:
        context.update(
            create_form=forms.get("create_form") or UnitCreateForm(),
            edit_form=forms.get("edit_form") or _edit_form(unit),
            move_form=forms.get("move_form") or UnitMoveForm(),
            can_move=unit.pk != scope.unit_id and unit.parent_id is not None,
            unit_codes=unit_code_suggestions(scope),
        )
    return render(request, "web/units/detail.html", context, status=status)


@member_required
def unit_detail(request: ScopedRequest, unit_id: int) -> HttpResponse:
    return _render_unit(request, selectors.unit(request.scope, unit_id))


@require_POST
@admin_required
def unit_create(request: ScopedRequest, unit_id: int) -> HttpResponse:
    parent = selectors.unit(request.scope, unit_id)
    form = UnitCreateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        with domain_errors_on(form):
            child = services.create_unit(
                actor=request.scope,
                parent=parent,
                name=data["name"],
                kind=data["kind"],
                code=data["code"],
            )
            messages.success(request, _("Unit “%(name)s” added.") % {"name": child.name})
            return redirect("web:unit", unit_id=child.pk)
    return _render_unit(request, parent, status=400, create_form=form)


@require_POST
@admin_required
def unit_update(request: ScopedRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit(request.scope, unit_id)
    form = UnitEditForm(request.POST)
    if form.is_valid():
        try:
            services.update_unit(actor=request.scope, unit=unit, **form.cleaned_data)
        except DomainError as error:
            apply_domain_error(form, error)
            # The service had already applied the refused values to our copy.
            unit = selectors.unit(request.scope, unit_id)
        else:
            messages.success(request, _("Unit saved."))
            return redirect("web:unit", unit_id=unit.pk)
    return _render_unit(request, unit, status=400, edit_form=form)


@require_POST
@admin_required
def unit_move(request: ScopedRequest, unit_id: int) -> HttpResponse:
    unit = selectors.unit(request.scope, unit_id)
    form = UnitMoveForm(request.POST)
    if form.is_valid():
        parent = resolve_unit(form, request.scope, "parent_code")
        if parent is not None:
            with domain_errors_on(form):
                services.move_unit(actor=request.scope, unit=unit, new_parent=parent)
                messages.success(request, _("Unit moved under “%(name)s”.") % {"name": parent.name})
                return redirect("web:unit", unit_id=unit.pk)
    return _render_unit(request, unit, status=400, move_form=form)
