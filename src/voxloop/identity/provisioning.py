"""People as the organisation's identity provider sends them: at sign-in (just in time) and
through SCIM. Every write keeps one rule: the membership in the organisation is what the
person's groups map to (services.access_for_groups), and an inactive or unmapped person has
none. Provisioning acts as the organisation's system admin, so the audit log names it."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from voxloop.accounts import services as account_services
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.identity import rulecache
from voxloop.identity.models import ExternalIdentity, ScimGroup, SignInPolicy, Source
from voxloop.identity.selectors import identity_by_subject, policy_for
from voxloop.identity.services import access_for_groups
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope


def system_scope(*, organization_id: int, label: str) -> Scope:
    return Scope.system(tenancy_selectors.organization_root(organization_id), label)


def _free_username(wanted: str) -> str:
    User = get_user_model()
    base = "".join(ch for ch in wanted if ch.isalnum() or ch in "@.+-_")[:140] or "sso-user"
    name = base
    while User.objects.filter(username__iexact=name).exists():
        name = f"{base}-{secrets.token_hex(3)}"
    return name


def _user_for(organization_id: int, user_name: str, email: str, names: dict[str, str]) -> Any:
    """A new login for a person the provider names. An existing account is taken over only
    when it is a member of this organisation alone with the same email: an identity provider
    can never reach an account another organisation also holds (decision 0037)."""
    User = get_user_model()
    if email:
        for user in User.objects.filter(email__iexact=email):
            orgs = set(
                tenancy_selectors.memberships_of(user).values_list("organization_id", flat=True)
            )
            if (
                orgs == {organization_id}
                and not ExternalIdentity.objects.filter(user=user).exists()
            ):
                return user
    return account_services.create_user(
        username=_free_username(user_name or email),
        email=email if "@" in email else "",
        first_name=names.get("first_name", ""),
        last_name=names.get("last_name", ""),
    )


def apply_access(*, identity: ExternalIdentity, label: str) -> Membership | None:
    """Bring the person's membership in line with their groups and whether they are active."""
    organization_id = identity.organization_id
    actor = system_scope(organization_id=organization_id, label=label)
    rulecache.changed(user_id=identity.user_id)
    policy = policy_for(organization_id) or SignInPolicy(organization_id=organization_id)
    groups = list(identity.groups) + [g.display_name for g in identity.scim_groups.all()]
    access = access_for_groups(policy=policy, groups=groups) if identity.active else None
    membership = tenancy_selectors.membership_in(identity.user, organization_id)
    if access is None:
        if membership is not None:
            tenancy_services.revoke_membership(actor=actor, membership=membership)
        _deactivate_if_orphan(identity=identity, actor=actor)
        return None
    if not identity.user.is_active and identity.active:
        account_services.set_active(user=identity.user, active=True, actor=actor)
    if membership is None:
        return tenancy_services.grant_membership(
            actor=actor, user=identity.user, unit=access.unit, role=access.role
        )
    return tenancy_services.change_membership(
        actor=actor, membership=membership, unit=access.unit, role=access.role
    )


def _deactivate_if_orphan(*, identity: ExternalIdentity, actor: Scope) -> None:
    """A person the provider switched off, with no other organisation and no password of
    their own, is switched off as a login too: their sessions end at the next request."""
    user = identity.user
    if identity.active or user.has_usable_password():
        return
    if tenancy_selectors.memberships_of(user).exists():
        return
    account_services.set_active(user=user, active=False, actor=actor)


# --- single sign-on ----------------------------------------------------------------------


def sign_in(
    *,
    policy: SignInPolicy,
    subject: str,
    email: str,
    groups: list[str],
    names: dict[str, str] | None = None,
) -> Any:
    """The login for a person the organisation's provider has just vouched for."""
    if not subject:
        raise InvalidInput("The identity provider named nobody.", "subject")
    organization_id = policy.organization_id
    with transaction.atomic():
        identity = identity_by_subject(organization_id, subject)
        if identity is None:
            if not policy.jit_provisioning:
                raise Forbidden("Your organisation has not given you access to Voxloop yet.")
            user = _user_for(organization_id, email or subject, email, names or {})
            identity = ExternalIdentity.objects.create(
                organization_id=organization_id,
                user=user,
                subject=subject,
                user_name=email or subject,
                source=Source.SSO,
            )
        if not identity.active:
            raise Forbidden("Your account is deactivated at your identity provider.")
        identity.groups = sorted(set(groups))
        identity.save(update_fields=["groups", "updated_at"])
        membership = apply_access(identity=identity, label="sso")
    # After the commit: a person whose groups no longer map loses the membership for good.
    if membership is None:
        raise Forbidden("None of your groups gives you access to Voxloop.")
    return identity.user


# --- SCIM ----------------------------------------------------------------------------------


def scim_save_user(
    *,
    organization_id: int,
    identity: ExternalIdentity | None,
    user_name: str,
    external_id: str,
    active: bool,
    display_name: str,
    email: str,
    attributes: dict[str, Any],
) -> ExternalIdentity:
    """Create (identity None) or replace a SCIM user, then its membership."""
    user_name = user_name.strip()
    if not user_name:
        raise InvalidInput("userName is required.", "userName")
    clash = identity_by_subject(organization_id, user_name)
    if clash is not None and (identity is None or clash.pk != identity.pk):
        raise Conflict(f"A user with userName '{user_name}' exists.", "userName")
    with transaction.atomic():
        if identity is None:
            names = {
                "first_name": str(attributes.get("name", {}).get("givenName", ""))[:150],
                "last_name": str(attributes.get("name", {}).get("familyName", ""))[:150],
            }
            identity = ExternalIdentity(
                organization_id=organization_id,
                user=_user_for(organization_id, user_name, email, names),
                source=Source.SCIM,
            )
        identity.subject = identity.user_name = user_name
        identity.external_id = external_id
        identity.active = active
        identity.display_name = display_name[:255]
        identity.attributes = attributes
        identity.save()
        user = identity.user
        if email and "@" in email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        apply_access(identity=identity, label="scim")
    return identity


def scim_delete_user(*, identity: ExternalIdentity) -> None:
    with transaction.atomic():
        identity.active = False
        identity.save(update_fields=["active", "updated_at"])
        apply_access(identity=identity, label="scim")
        identity.delete()


def scim_save_group(
    *,
    organization_id: int,
    group: ScimGroup | None,
    display_name: str,
    external_id: str,
    member_ids: list[int] | None,
) -> ScimGroup:
    """Create or replace a group; `member_ids` (ExternalIdentity ids) None keeps members."""
    display_name = display_name.strip()
    if not display_name:
        raise InvalidInput("displayName is required.", "displayName")
    clash = ScimGroup.objects.filter(organization_id=organization_id, display_name=display_name)
    if group is not None:
        clash = clash.exclude(pk=group.pk)
    if clash.exists():
        raise Conflict(f"A group named '{display_name}' exists.", "displayName")
    with transaction.atomic():
        group = group or ScimGroup(organization_id=organization_id)
        before = set(group.members.values_list("pk", flat=True)) if group.pk else set()
        renamed = group.pk is not None and group.display_name != display_name
        group.display_name, group.external_id = display_name, external_id
        group.save()
        if member_ids is not None:
            members = ExternalIdentity.objects.filter(
                organization_id=organization_id, pk__in=member_ids
            )
            group.members.set(members)
        after = set(group.members.values_list("pk", flat=True))
        touched = (before ^ after) | (after if renamed else set())
        for identity in ExternalIdentity.objects.filter(pk__in=touched).select_related("user"):
            apply_access(identity=identity, label="scim")
    return group


def scim_delete_group(*, group: ScimGroup) -> None:
    with transaction.atomic():
        members = list(group.members.select_related("user"))
        group.delete()
        for identity in members:
            apply_access(identity=identity, label="scim")
