"""Admin-only: the people holding memberships in the admin's subtree, invites and changes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.accounts import services as account_services
from voxloop.errors import DomainError
from voxloop.tenancy import selectors, services
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import (
    InviteForm,
    MembershipChangeForm,
    PeopleFilterForm,
    domain_errors_on,
    resolve_unit,
)
from voxloop.web.paging import paginate, query_without_page
from voxloop.web.views.common import unit_code_suggestions


def _render_people(
    request: ScopedRequest, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    form = PeopleFilterForm(request.GET or None)
    memberships = selectors.visible_memberships(scope)
    if form.is_valid() and form.cleaned_data["q"].strip():
        users = selectors.visible_users(scope, search=form.cleaned_data["q"].strip())
        memberships = memberships.filter(user__in=users)
    context = {
        "form": form,
        "page": paginate(request, memberships),
        "query": query_without_page(request),
        "invite_form": invite_form or InviteForm(),
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "web/people/list.html", context, status=status)


@admin_required
def people_list(request: ScopedRequest) -> HttpResponse:
    return _render_people(request)


@require_POST
@admin_required
def people_invite(request: ScopedRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            data = form.cleaned_data
            with domain_errors_on(form):
                membership = account_services.invite_user(
                    actor=request.scope,
                    username=data["username"],
                    email=data["email"],
                    unit=unit,
                    role=data["role"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
                messages.success(
                    request,
                    _("%(username)s invited; they choose a password through “Forgot password”.")
                    % {"username": membership.user.get_username()},
                )
                return redirect("web:membership", membership_id=membership.pk)
    return _render_people(request, invite_form=form, status=400)


def _render_membership(
    request: ScopedRequest,
    membership: Membership,
    form: MembershipChangeForm | None = None,
    revoke_error: str = "",
    status: int = 200,
) -> HttpResponse:
    if form is None:
        form = MembershipChangeForm(
            initial={
                "role": membership.role,
                "unit_code": membership.unit.code,
                "title": membership.title,
            }
        )
    context = {
        "membership": membership,
        "form": form,
        "revoke_error": revoke_error,
        "is_self": membership.pk == request.scope.membership_id,
        "unit_codes": unit_code_suggestions(request.scope),
    }
    return render(request, "web/people/membership.html", context, status=status)


@admin_required
def membership_detail(request: ScopedRequest, membership_id: int) -> HttpResponse:
    """A membership's page; POST changes its role, unit or title."""
    membership = selectors.membership(request.scope, membership_id)
    if request.method != "POST":
        return _render_membership(request, membership)
    form = MembershipChangeForm(request.POST)
    if form.is_valid():
        unit = resolve_unit(form, request.scope, "unit_code")
        if unit is not None:
            with domain_errors_on(form):
                services.change_membership(
                    actor=request.scope,
                    membership=membership,
                    unit=unit,
                    role=form.cleaned_data["role"],
                    title=form.cleaned_data["title"],
                )
                messages.success(request, _("Membership saved."))
                return redirect("web:membership", membership_id=membership.pk)
    membership = selectors.membership(request.scope, membership_id)
    return _render_membership(request, membership, form=form, status=400)


@require_POST
@admin_required
def membership_revoke(request: ScopedRequest, membership_id: int) -> HttpResponse:
    membership = selectors.membership(request.scope, membership_id)
    username = membership.user.get_username()
    if membership.pk != request.scope.membership_id and not confirm.given(request):
        lines = [
            _("%(username)s can no longer sign in to %(unit)s as %(role)s.")
            % {
                "username": username,
                "unit": membership.unit.name,
                "role": membership.get_role_display(),
            },
            _("Their API tokens for it stop working; cases assigned to them stay assigned."),
            _("To undo, invite them again."),
        ]
        return confirm.ask(
            request,
            title=_("Revoke %(username)s's access?") % {"username": username},
            consequences=lines,
            confirm_label=_("Revoke access"),
            back_url=reverse("web:membership", args=[membership.pk]),
        )
    try:
        services.revoke_membership(actor=request.scope, membership=membership)
    except DomainError as error:
        return _render_membership(request, membership, revoke_error=error.message, status=400)
    messages.success(request, _("%(username)s no longer has access.") % {"username": username})
    return redirect("web:people")
