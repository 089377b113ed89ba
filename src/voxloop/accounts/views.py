"""Sign-in, sign-out, password reset and personal API token pages. Thin: parse, call, render."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from voxloop.accounts import selectors, services
from voxloop.accounts.forms import LoginForm, PasswordResetRequestForm, TokenForm
from voxloop.clients import request_ip
from voxloop.errors import DomainError, NotFound
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm

# --- signing in and out ----------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Django's sign-in, throttled per username and per address."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        username = request.POST.get("username", "")
        if username:
            # Counted before the password is checked, so a right guess after the limit gets in
            # no further and simultaneous guesses cannot all pass under it.
            wait = services.begin_login_attempt(username=username, ip=request_ip(request))
            if wait:
                return self.blocked(username, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        services.login_succeeded(
            username=self.request.POST.get("username", ""), ip=request_ip(self.request)
        )
        return super().form_valid(form)

    def blocked(self, username: str, retry_after: int) -> HttpResponse:
        minutes = max(1, math.ceil(retry_after / 60))
        retry_at = timezone.localtime(timezone.now() + timedelta(seconds=retry_after))
        message = ngettext(
            "Too many failed sign-in attempts. For your safety, signing in is paused: "
            "try again in %(minutes)d minute (at %(time)s).",
            "Too many failed sign-in attempts. For your safety, signing in is paused: "
            "try again in %(minutes)d minutes (at %(time)s).",
            minutes,
        ) % {"minutes": minutes, "time": retry_at.strftime("%H:%M")}
        form = self.get_form_class()(self.request, initial={"username": username})
        context = self.get_context_data(form=form, blocked_message=message)
        response = render(self.request, self.template_name, context, status=429)
        response["Retry-After"] = str(retry_after)
        return response


def admin_login(request: HttpRequest) -> HttpResponse:
    """The Django admin signs in through the product's form, so one throttle guards both (the
    admin's own form counted nothing). Someone signed in who may not use the admin gets a 403
    rather than a loop back to the form."""
    if request.user.is_authenticated:
        raise PermissionDenied
    target = request.GET.get("next") or reverse("admin:index")
    return redirect_to_login(target, reverse("accounts:login"))


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default), so a link on another site cannot sign anyone out."""


# --- password reset (and first password of invited users) -------------------------------


class PasswordResetView(FormView):
    template_name = "accounts/password_reset_form.html"
    form_class = PasswordResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetRequestForm) -> HttpResponse:
        # The same answer whether or not the address belongs to anyone: no account discovery.
        services.request_password_reset(email=form.cleaned_data["email"], language=get_language())
        return super().form_valid(form)


class PasswordResetDoneView(TemplateView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.password_was_set(user=form.user)
        return response


class PasswordResetCompleteView(TemplateView):
    template_name = "accounts/password_reset_complete.html"


# --- preferences ------------------------------------------------------------------------


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The shell's language switcher: Django's own (cookie, redirect), and for a signed-in
    person also their saved preference, which their emails follow."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.set_language(
            user=request.user, language=language, actor=getattr(request, "scope", None)
        )
    return i18n_views.set_language(request)


# --- personal API tokens ----------------------------------------------------------------


@login_required
def tokens(request: ScopedRequest) -> HttpResponse:
    """List one's own tokens; POST creates one and shows its secret on this answer only."""
    membership = request.membership
    form = TokenForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 403 if membership is None else 400
        if membership is not None and form.is_valid():
            try:
                issued = services.create_token(
                    membership=membership,
                    name=form.cleaned_data["name"],
                    expires_at=form.expires_at(),
                )
            except DomainError as error:
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
            else:
                # Rendered straight from the POST, never kept in the session or redirected:
                # once this page is gone, nobody can see the secret again.
                response = render(request, "accounts/token_created.html", {"issued": issued})
                response["Cache-Control"] = "no-store"
                return response
    context = {
        "form": form,
        # Tokens made under the active membership: another tenant's stay on its own list.
        "tokens": selectors.own_tokens(request.scope) if request.scope else [],
        "membership": membership,
        "now": timezone.now(),
    }
    return render(request, "accounts/tokens.html", context, status=status)


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if not confirm.given(request):
        try:
            # login_required: the user is signed in, so has an id.
            token = selectors.live_token_of(int(request.user.pk or 0), token_id)
        except NotFound:
            raise Http404(_("No such token.")) from None
        return confirm.ask(
            request,
            title=_("Revoke the API token “%(name)s”?") % {"name": token.name},
            consequences=[
                _("Every program using it is refused from now on."),
                _("A revoked token cannot work again; make a new one to replace it."),
            ],
            confirm_label=_("Revoke"),
            back_url=reverse("accounts:tokens"),
        )
    try:
        token = services.revoke_token(user=request.user, token_id=token_id)
    except NotFound:
        raise Http404(_("No such token.")) from None
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
