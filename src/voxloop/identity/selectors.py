"""Reads of sign-in configuration. The admin pages read through the scope; the sign-in flow,
SCIM and the middleware read by organisation, which the request itself names (its slug, its
bearer token or the session) — never by what an identity provider claims."""

from __future__ import annotations

from django.db.models import QuerySet

from voxloop.errors import Forbidden
from voxloop.identity.models import (
    ExternalIdentity,
    GroupMapping,
    RecoveryCode,
    ScimGroup,
    ScimToken,
    SignInPolicy,
    TwoFactorDevice,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, Scope


def policy_for(organization_id: int) -> SignInPolicy | None:
    return (
        SignInPolicy.objects.select_related("organization", "default_unit")
        .filter(organization_id=organization_id)
        .first()
    )


def policies_for(organization_ids: list[int]) -> dict[int, SignInPolicy]:
    rows = SignInPolicy.objects.filter(organization_id__in=organization_ids)
    return {p.organization_id: p for p in rows}


def own_policy(scope: Scope) -> SignInPolicy | None:
    """The admin page's read: only an admin of the organisation's top unit configures it."""
    scope.require(Capability.CONFIGURE)
    if scope.unit_path != tenancy_selectors.organization_root(scope.organization_id).path:
        raise Forbidden("Only an admin of the whole organisation configures sign-in.")
    return policy_for(scope.organization_id)


def sso_policy_by_slug(slug: str) -> SignInPolicy | None:
    return (
        SignInPolicy.objects.select_related("organization")
        .filter(organization__slug=slug, sso_enabled=True)
        .first()
    )


def sso_policy_by_email(email: str) -> SignInPolicy | None:
    """The organisation whose listed email domain the address has; None when none or when
    two organisations list it (then the person must name their organisation)."""
    domain = email.rsplit("@", 1)[-1].strip().lower() if "@" in email else ""
    if not domain:
        return None
    found = [
        p
        for p in SignInPolicy.objects.select_related("organization").filter(
            sso_enabled=True, email_domains__icontains=domain
        )
        if domain in p.domains()
    ]
    return found[0] if len(found) == 1 else None


def mappings_of(policy: SignInPolicy) -> QuerySet[GroupMapping]:
    return GroupMapping.objects.filter(policy=policy).order_by("id")


def scim_tokens(scope: Scope) -> QuerySet[ScimToken]:
    own_policy(scope)
    return ScimToken.objects.filter(organization_id=scope.organization_id)


def identity_by_subject(organization_id: int, subject: str) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(organization_id=organization_id, subject=subject)
        .first()
    )


def identities(organization_id: int) -> QuerySet[ExternalIdentity]:
    return ExternalIdentity.objects.filter(organization_id=organization_id).select_related("user")


def scim_groups(organization_id: int) -> QuerySet[ScimGroup]:
    return ScimGroup.objects.filter(organization_id=organization_id).prefetch_related("members")


def device_of(user_id: int) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user_id=user_id).first()


def has_confirmed_device(user_id: int) -> bool:
    return TwoFactorDevice.objects.filter(user_id=user_id, confirmed_at__isnull=False).exists()


def unused_recovery_codes(user_id: int) -> int:
    return RecoveryCode.objects.filter(user_id=user_id, used_at__isnull=True).count()
