"""Signing in through the organisation's identity provider: find the organisation (by email
domain or slug), send the browser to the provider, take its answer, sign the person in to
that organisation only. Thin: the protocols are in `oidc` and `saml`, the people in
`provisioning`."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from voxloop import counters
from voxloop.clients import request_ip
from voxloop.errors import DomainError
from voxloop.identity import oidc, provisioning, saml, selectors, services, ssosessions
from voxloop.identity.forms import SsoStartForm
from voxloop.identity.models import Protocol, SignInPolicy
from voxloop.identity.session import (
    ATTEMPT_KEY,
    METHOD_KEY,
    ORG_KEY,
    SSO_LOGOUT_KEY,
    mark_sso_session,
)

BACKEND = "django.contrib.auth.backends.ModelBackend"
START_LIMIT = 30  # sign-in starts per address per minute
LOGOUT_LIMIT = 120  # back-channel logout calls per organisation per minute


def _refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, "identity/sso_refused.html", {"message": message}, status=status)


def sso_start(request: HttpRequest) -> HttpResponse:
    form = SsoStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tally = counters.hit(f"sso:start:{request_ip(request) or 'unknown'}", 60)
        if tally.count > START_LIMIT:
            response = _refused(request, _("Too many attempts; try again in a minute."), 429)
            response["Retry-After"] = str(tally.retry_after())
            return response
        wanted = form.cleaned_data["email_or_organisation"].strip()
        policy = (
            selectors.sso_policy_by_email(wanted)
            if "@" in wanted
            else selectors.sso_policy_by_slug(wanted.lower())
        )
        if policy is not None:
            target = reverse("identity:sso_login", args=[policy.organization.slug])
            next_url = request.POST.get("next", "")
            if next_url:
                target += f"?next={next_url}"
            return redirect(target)
        form.add_error(
            "email_or_organisation",
            _("No organisation signs in with single sign-on under this name."),
        )
    status = 400 if request.method == "POST" else 200
    return render(request, "identity/sso_start.html", {"form": form}, status=status)


def _safe_next(request: HttpRequest, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return "/"


def sso_login(request: HttpRequest, slug: str) -> HttpResponse:
    policy = selectors.sso_policy_by_slug(slug)
    if policy is None:
        return _refused(request, _("This organisation has no single sign-on."), 404)
    attempt = {
        "slug": slug,
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": _safe_next(request, request.GET.get("next", "")),
    }
    try:
        if policy.protocol == Protocol.OIDC:
            target = oidc.authorization_url(
                policy,
                redirect_uri=request.build_absolute_uri(
                    reverse("identity:oidc_callback", args=[slug])
                ),
                state=attempt["state"],
                nonce=attempt["nonce"],
                verifier=attempt["verifier"],
            )
        else:
            target, request_id = saml.authn_request_url(request, policy)
            attempt["state"] = request_id
    except (oidc.SignInRefused, saml.SignInRefused) as error:
        return _refused(request, _("The identity provider cannot be reached: %s") % error, 502)
    request.session[ATTEMPT_KEY] = attempt
    return redirect(target)


def _finish(
    request: HttpRequest, policy: SignInPolicy, claims: dict[str, Any], logout_hint: dict
) -> HttpResponse:
    attempt = request.session.get(ATTEMPT_KEY) or {}
    try:
        user = provisioning.sign_in(
            policy=policy,
            subject=claims["subject"],
            email=claims.get("email", ""),
            groups=claims.get("groups", []),
            names=claims.get("names", {}),
        )
    except DomainError as error:
        return _refused(request, error.message)
    request.session.pop(ATTEMPT_KEY, None)
    login(request, user, backend=BACKEND)
    mark_sso_session(request.session, organization_id=policy.organization_id, hint=logout_hint)
    ssosessions.remember(
        session=request.session,
        organization_id=policy.organization_id,
        user_id=user.pk,
        subject=claims["subject"],
        sid=str(claims.get("sid") or ""),
    )
    return redirect(attempt.get("next") or "/")


def oidc_callback(request: HttpRequest, slug: str) -> HttpResponse:
    attempt = request.session.get(ATTEMPT_KEY) or {}
    policy = selectors.sso_policy_by_slug(slug)
    state = request.GET.get("state", "")
    if (
        policy is None
        or policy.protocol != Protocol.OIDC
        or attempt.get("slug") != slug
        or not state
        or not secrets.compare_digest(state, str(attempt.get("state", "")))
    ):
        return _refused(request, _("This sign-in attempt is unknown or was already used."), 400)
    if request.GET.get("error"):
        return _refused(request, _("The identity provider refused: %s") % request.GET["error"])
    try:
        claims, id_token = oidc.exchange_code(
            policy,
            code=request.GET.get("code", ""),
            redirect_uri=request.build_absolute_uri(reverse("identity:oidc_callback", args=[slug])),
            verifier=attempt["verifier"],
            nonce=attempt["nonce"],
        )
    except oidc.SignInRefused as error:
        request.session.pop(ATTEMPT_KEY, None)
        return _refused(request, _("Sign-in refused: %s") % error)
    if not services.use_assertion_once(
        organization_id=policy.organization_id,
        assertion_id=f"oidc:{claims.get('jti') or claims['nonce']}",
        expires_at=_epoch(claims["exp"]),
    ):
        return _refused(request, _("Sign-in refused: this answer was already used."))
    groups = claims.get(policy.groups_claim or "groups") or []
    person = {
        "subject": claims["sub"],
        "email": claims.get("email", "") if claims.get("email_verified", True) else "",
        "groups": [str(g) for g in groups] if isinstance(groups, list) else [str(groups)],
        "names": {
            "first_name": str(claims.get("given_name", ""))[:150],
            "last_name": str(claims.get("family_name", ""))[:150],
        },
        "sid": claims.get("sid") if isinstance(claims.get("sid"), str) else "",
    }
    return _finish(request, policy, person, {"protocol": "oidc", "id_token": id_token})


def _epoch(value: Any) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(float(value), tz=UTC)


@csrf_exempt  # the identity provider posts the signed answer; its signature is the check
@require_POST
def saml_acs(request: HttpRequest, slug: str) -> HttpResponse:
    attempt = request.session.get(ATTEMPT_KEY) or {}
    policy = selectors.sso_policy_by_slug(slug)
    if policy is None or policy.protocol != Protocol.SAML:
        return _refused(request, _("This organisation has no SAML sign-in."), 404)
    try:
        person = saml.read_response(
            request,
            policy,
            request.POST.get("SAMLResponse", ""),
            expected_request_id=str(attempt.get("state", ""))
            if attempt.get("slug") == slug
            else "",
        )
    except saml.SignInRefused as error:
        return _refused(request, _("Sign-in refused: %s") % error)
    if not services.use_assertion_once(
        organization_id=policy.organization_id,
        assertion_id=f"saml:{person['assertion_id']}",
        expires_at=person["expires_at"],
    ):
        return _refused(request, _("Sign-in refused: this answer was already used."))
    hint = {
        "protocol": "saml",
        "name_id": person["subject"],
        "session_index": person["session_index"],
    }
    person["sid"] = person["session_index"]
    if person["unsolicited"]:
        # Started at the provider's portal: RelayState, when a path of ours, is where to go.
        request.session[ATTEMPT_KEY] = {
            "slug": slug,
            "next": _safe_next(request, request.POST.get("RelayState", "")),
        }
    return _finish(request, policy, person, hint)


def saml_metadata(request: HttpRequest, slug: str) -> HttpResponse:
    policy = selectors.sso_policy_by_slug(slug)
    if policy is None or policy.protocol != Protocol.SAML:
        return _refused(request, _("This organisation has no SAML sign-in."), 404)
    return HttpResponse(
        saml.sp_metadata(request, policy), content_type="application/samlmetadata+xml"
    )


@require_POST
def sso_logout(request: HttpRequest) -> HttpResponse:
    """Sign out here, then at the identity provider where its protocol allows."""
    organization_id = request.session.get(ORG_KEY)
    hint = request.session.get(SSO_LOGOUT_KEY) or {}
    method = request.session.get(METHOD_KEY)
    logout(request)
    policy = selectors.policy_for(int(organization_id)) if organization_id else None
    if method != "sso" or policy is None or not policy.sso_enabled:
        return redirect("accounts:login")
    back = request.build_absolute_uri(reverse("accounts:login"))
    try:
        if hint.get("protocol") == "oidc":
            target = oidc.logout_url(policy, id_token=hint.get("id_token", ""), return_to=back)
        else:
            target = saml.logout_request_url(request, policy, hint)
    except (oidc.SignInRefused, saml.SignInRefused):
        target = None
    return redirect(target or "accounts:login")


def saml_sls(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider's answer to our logout, or its own logout request: the local session
    ends either way."""
    logout(request)
    return redirect("accounts:login")


def _logout_answer(status: int, error: str = "") -> JsonResponse:
    body = {"error": "invalid_request", "error_description": error} if error else {}
    answer = JsonResponse(body, status=status)
    answer["Cache-Control"] = "no-store"
    return answer


@csrf_exempt  # the provider posts a signed logout token; its signature is the check
@require_POST
def oidc_backchannel_logout(request: HttpRequest, slug: str) -> HttpResponse:
    """OpenID Connect Back-Channel Logout 1.0: the provider, server to server, names a
    session (sid) or a person (sub) whose sessions here end now."""
    policy = selectors.sso_policy_by_slug(slug)
    if policy is None or policy.protocol != Protocol.OIDC:
        return _logout_answer(404, "This organisation has no OpenID Connect sign-in.")
    tally = counters.hit(f"sso:backchannel:{policy.organization_id}", 60)
    if tally.count > LOGOUT_LIMIT:
        answer = _logout_answer(429, "Too many logout requests; try again in a minute.")
        answer["Retry-After"] = str(tally.retry_after())
        return answer
    try:
        claims = oidc.verify_logout_token(policy, token=request.POST.get("logout_token", ""))
    except oidc.SignInRefused as error:
        return _logout_answer(400, str(error))
    if not services.use_assertion_once(
        organization_id=policy.organization_id,
        assertion_id=f"oidc-logout:{claims['jti']}",
        expires_at=_epoch(float(claims["iat"]) + oidc.LOGOUT_TOKEN_AGE),
    ):
        return _logout_answer(400, "This logout token was already used.")
    ssosessions.end(
        organization_id=policy.organization_id,
        subject=str(claims.get("sub") or ""),
        sid=str(claims.get("sid") or ""),
    )
    return _logout_answer(200)
