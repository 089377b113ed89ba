"""The sign-in policy page (admins of the whole organisation) and the two-factor pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop.identity import selectors, services, twofactor
from voxloop.identity.forms import CodeForm, MappingFormSet, PolicyForm, ScimTokenForm
from voxloop.identity.session import TWO_FACTOR_KEY
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required
from voxloop.web.forms import domain_errors_on

# --- the sign-in policy ----------------------------------------------------------------


def _initial(scope: Any) -> dict[str, Any]:
    policy = selectors.own_policy(scope)
    if policy is None:
        return {"groups_claim": "groups", "groups_attribute": "groups", "jit_provisioning": True}
    initial = {name: getattr(policy, name) for name in services.POLICY_FIELDS}
    initial["two_factor_roles"] = policy.two_factor_role_list()
    initial["default_unit_code"] = policy.default_unit.code if policy.default_unit else ""
    initial["break_glass_username"] = (
        policy.break_glass_user.get_username() if policy.break_glass_user else ""
    )
    return initial


@admin_required
def sign_in_settings(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    policy = selectors.own_policy(scope)
    form = PolicyForm(request.POST or None, initial=_initial(scope), prefix="policy")
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("client_secret")
        unit_code = data.pop("default_unit_code").strip()
        username = data.pop("break_glass_username").strip()
        data["two_factor_roles"] = ",".join(data["two_factor_roles"])
        unit = tenancy_selectors.unit_by_code_in_org(scope.organization_id, unit_code)
        if unit_code and unit is None:
            form.add_error("default_unit_code", _("No unit has this code."))
        user = (
            get_user_model().objects.filter(username__iexact=username).first() if username else None
        )
        if username and user is None:
            form.add_error("break_glass_username", _("No such member."))
        if not form.errors:
            with domain_errors_on(
                form,
                {"break_glass_user": "break_glass_username", "default_unit": "default_unit_code"},
            ):
                services.save_policy(
                    actor=scope,
                    fields=data,
                    client_secret=secret,
                    default_unit=unit,
                    break_glass_user=user,
                )
                messages.success(request, _("The sign-in settings are saved."))
                return redirect("identity:settings")
    mappings = _mapping_formset(policy)
    context = _context(request, form, mappings, ScimTokenForm(prefix="token"))
    return render(request, "identity/settings.html", context, status=400 if form.errors else 200)


def _mapping_formset(policy: Any, data: Any = None) -> Any:
    initial = (
        [
            {"group": m.group, "role": m.role, "unit_code": m.unit_code}
            for m in selectors.mappings_of(policy)
        ]
        if policy is not None
        else []
    )
    return MappingFormSet(data, initial=initial, prefix="form")


def _context(request: ScopedRequest, form: Any, mappings: Any, token_form: Any) -> dict:
    policy = selectors.own_policy(request.scope)
    return {
        "form": form,
        "mappings": mappings,
        "token_form": token_form,
        "tokens": selectors.scim_tokens(request.scope).filter(revoked_at__isnull=True),
        "policy": policy,
        "slug": request.membership.organization.slug,
    }


@admin_required
@require_POST
def save_mappings(request: ScopedRequest) -> HttpResponse:
    policy = selectors.own_policy(request.scope)
    formset = _mapping_formset(policy, request.POST)
    if formset.is_valid():
        rows = [
            services.MappingRow(
                group=f.cleaned_data["group"],
                role=f.cleaned_data["role"],
                unit_code=f.cleaned_data["unit_code"],
            )
            for f in formset.forms
            if f.cleaned_data.get("group") and not f.cleaned_data.get("DELETE")
        ]
        try:
            services.save_mappings(actor=request.scope, rows=rows)
        except services.InvalidInput as error:
            formset._non_form_errors = formset.error_class([error.message])
        else:
            messages.success(request, _("The group mappings are saved."))
            return redirect("identity:settings")
    form = PolicyForm(initial=_initial(request.scope), prefix="policy")
    context = _context(request, form, formset, ScimTokenForm(prefix="token"))
    return render(request, "identity/settings.html", context, status=400)


@admin_required
@require_POST
def create_scim_token(request: ScopedRequest) -> HttpResponse:
    token_form = ScimTokenForm(request.POST, prefix="token")
    if token_form.is_valid():
        with domain_errors_on(token_form):
            issued = services.create_scim_token(
                actor=request.scope, name=token_form.cleaned_data["name"]
            )
            response = render(request, "identity/scim_token.html", {"issued": issued})
            response["Cache-Control"] = "no-store"
            return response
    policy = selectors.own_policy(request.scope)
    form = PolicyForm(initial=_initial(request.scope), prefix="policy")
    context = _context(request, form, _mapping_formset(policy), token_form)
    return render(request, "identity/settings.html", context, status=400)


@admin_required
@require_POST
def revoke_scim_token(request: ScopedRequest, scim_token_id: int) -> HttpResponse:
    services.revoke_scim_token(actor=request.scope, token_id=scim_token_id)
    messages.success(request, _("The SCIM token is revoked."))
    return redirect("identity:settings")


# --- two-factor ----------------------------------------------------------------------------


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = getattr(request, "scope", None)
    if selectors.has_confirmed_device(int(user.pk or 0)):
        context: dict[str, Any] = {
            "enabled": True,
            "left": selectors.unused_recovery_codes(int(user.pk or 0)),
        }
        return render(request, "identity/two_factor.html", context)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with domain_errors_on(form):
            codes = twofactor.confirm_enrolment(
                user=user, code=form.cleaned_data["code"], actor=scope
            )
            request.session[TWO_FACTOR_KEY] = True
            response = render(request, "identity/recovery_codes.html", {"codes": codes})
            response["Cache-Control"] = "no-store"
            return response
    device = selectors.device_of(int(user.pk or 0))
    if device is None or request.method == "GET":
        device = twofactor.start_enrolment(user=user)
    uri = twofactor.provisioning_uri(device=device, account=user.get_username())
    context = {
        "form": form,
        "qr": twofactor.qr_svg(uri=uri),
        "key": twofactor.manual_key(device=device),
        "enabled": False,
    }
    status = 400 if form.errors else 200
    response = render(request, "identity/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    twofactor.disable(user=request.user, actor=getattr(request, "scope", None))
    request.session.pop(TWO_FACTOR_KEY, None)
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("identity:two_factor_setup")


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST or None)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    if request.method == "POST" and form.is_valid():
        with domain_errors_on(form):
            if twofactor.verify(user=request.user, code=form.cleaned_data["code"]):
                request.session.cycle_key()
                request.session[TWO_FACTOR_KEY] = True
                return redirect(next_url)
            form.add_error("code", _("This code is not right."))
    status = 400 if form.errors else 200
    return render(
        request, "identity/two_factor_verify.html", {"form": form, "next": next_url}, status=status
    )
