"""Writes of sign-in configuration: the organisation's policy and identity provider, group
mappings, SCIM tokens; and the one rule that turns a person's groups into a role at a unit.
People themselves are provisioned in `provisioning`, two-factor devices in `twofactor`."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from voxloop import sealing
from voxloop.errors import Forbidden, InvalidInput, NotFound
from voxloop.identity import rulecache, spkeys
from voxloop.identity.models import (
    GroupMapping,
    Protocol,
    ScimToken,
    SeenAssertion,
    SignInPolicy,
)
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit, Role
from voxloop.tenancy.scoping import Capability, Scope
from voxloop.tenancy.services import record_audit

SCIM_PREFIX = "scim_"
POLICY_FIELDS = (
    "protocol",
    "sso_enabled",
    "email_domains",
    "sso_required",
    "jit_provisioning",
    "default_role",
    "issuer",
    "client_id",
    "groups_claim",
    "metadata_url",
    "metadata_xml",
    "groups_attribute",
    "idp_initiated",
    "two_factor_required",
    "two_factor_roles",
)
# Most access first: when several groups map, a person gets the widest role.
ROLE_RANK = [Role.ADMIN, Role.ANALYST, Role.MANAGER, Role.AGENT, Role.VIEWER]
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_top_admin(actor: Scope) -> None:
    actor.require(Capability.CONFIGURE)
    root = tenancy_selectors.organization_root(actor.organization_id)
    if actor.unit_path != root.path:
        raise Forbidden("Only an admin of the whole organisation configures sign-in.")


# --- the policy --------------------------------------------------------------------------


def save_policy(
    *,
    actor: Scope,
    fields: dict[str, Any],
    client_secret: str = "",
    default_unit: OrgUnit | None = None,
    break_glass_user: Any = None,
) -> SignInPolicy:
    """Create or change the organisation's sign-in policy. A blank client secret keeps the
    stored one."""
    _require_top_admin(actor)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown field: {sorted(unknown)[0]}.", sorted(unknown)[0])
    domains = [d.strip().lower() for d in str(fields.get("email_domains", "")).split(",")]
    bad = [d for d in domains if d and not DOMAIN.match(d)]
    if bad:
        raise InvalidInput(f"'{bad[0]}' is not a domain name.", "email_domains")
    if "email_domains" in fields:
        fields["email_domains"] = ",".join(d for d in domains if d)
    roles = [r.strip() for r in str(fields.get("two_factor_roles", "")).split(",") if r.strip()]
    if any(r not in Role.values for r in roles):
        raise InvalidInput(f"Roles are among: {', '.join(Role.values)}.", "two_factor_roles")
    if fields.get("default_role") and fields["default_role"] not in Role.values:
        raise InvalidInput(f"Roles are among: {', '.join(Role.values)}.", "default_role")
    if default_unit is not None and default_unit.organization_id != actor.organization_id:
        raise NotFound("No such unit.", "default_unit")
    if break_glass_user is not None and not tenancy_selectors.is_member(
        actor.organization_id, break_glass_user.pk
    ):
        raise NotFound("No such member.", "break_glass_user")
    if fields.get("sso_required") and break_glass_user is None:
        raise InvalidInput(
            "Name a break-glass admin who may still sign in with a password.", "break_glass_user"
        )
    with transaction.atomic():
        policy, _ = SignInPolicy.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id
        )
        before = {name: getattr(policy, name) for name in fields}
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.default_unit = default_unit
        policy.break_glass_user = break_glass_user
        if client_secret:
            policy.sealed_secret = sealing.seal({"client_secret": client_secret})
        if policy.sso_enabled:
            _check_provider(policy)
        made_keys = policy.protocol == Protocol.SAML and not policy.sealed_sp_keys
        if made_keys:
            spkeys.ensure(policy=policy)
        if "issuer" in fields and before.get("issuer") != policy.issuer:
            policy.discovery, policy.jwks = {}, {}
        policy.save()
        rulecache.changed(organization_id=policy.organization_id)
        changes = {k: [before[k], getattr(policy, k)] for k in fields if before[k] != fields[k]}
        if client_secret:
            changes["client_secret"] = ["…", "…"]  # that it changed, never its value
        if made_keys:
            changes["sp_keys"] = ["", "…"]
        record_audit(actor=actor, action="identity.policy.save", target=policy, changes=changes)
    return policy


def _check_provider(policy: SignInPolicy) -> None:
    if policy.protocol == Protocol.OIDC:
        if not policy.issuer:
            raise InvalidInput("OpenID Connect needs the issuer URL.", "issuer")
        if not policy.client_id:
            raise InvalidInput("OpenID Connect needs the client ID.", "client_id")
        if not policy.sealed_secret:
            raise InvalidInput("OpenID Connect needs the client secret.", "client_secret")
    elif not (policy.metadata_url or policy.metadata_xml.strip()):
        raise InvalidInput("SAML needs the provider's metadata URL or XML.", "metadata_xml")


def client_secret(*, policy: SignInPolicy) -> str:
    return sealing.unseal(policy.sealed_secret).get("client_secret", "")


def remember_provider_documents(
    *, policy: SignInPolicy, discovery: dict | None = None, jwks: dict | None = None
) -> None:
    """Cache what the identity provider published (its endpoints, its signing keys)."""
    if discovery is not None:
        policy.discovery = discovery
    if jwks is not None:
        policy.jwks = jwks
    SignInPolicy.objects.filter(pk=policy.pk).update(discovery=policy.discovery, jwks=policy.jwks)


# --- group mappings ----------------------------------------------------------------------


@dataclass(frozen=True)
class MappingRow:
    group: str
    role: str
    unit_code: str


def save_mappings(*, actor: Scope, rows: list[MappingRow]) -> list[GroupMapping]:
    """Replace the organisation's group mappings with these rows (the form's whole table)."""
    _require_top_admin(actor)
    policy, _ = SignInPolicy.objects.get_or_create(organization_id=actor.organization_id)
    seen: set[str] = set()
    for index, row in enumerate(rows):
        field = f"form-{index}"
        if not row.group.strip():
            raise InvalidInput("A mapping needs a group name.", f"{field}-group")
        if row.group in seen:
            raise InvalidInput(f"The group '{row.group}' is mapped twice.", f"{field}-group")
        seen.add(row.group)
        if row.role not in Role.values:
            raise InvalidInput(f"Roles are among: {', '.join(Role.values)}.", f"{field}-role")
        if row.group.count("{code}") > 1:
            raise InvalidInput("A group has at most one {code}.", f"{field}-group")
        if "{code}" not in row.group and "{code}" in row.unit_code:
            raise InvalidInput(
                "The unit code uses {code} but the group does not.", f"{field}-unit_code"
            )
        if (
            "{code}" not in row.unit_code
            and tenancy_selectors.unit_by_code_in_org(actor.organization_id, row.unit_code.strip())
            is None
        ):
            raise InvalidInput(f"No unit has the code '{row.unit_code}'.", f"{field}-unit_code")
    with transaction.atomic():
        before = [str(m) for m in GroupMapping.objects.filter(policy=policy)]
        GroupMapping.objects.filter(policy=policy).delete()
        made = GroupMapping.objects.bulk_create(
            GroupMapping(
                policy=policy, group=r.group.strip(), role=r.role, unit_code=r.unit_code.strip()
            )
            for r in rows
        )
        record_audit(
            actor=actor,
            action="identity.mappings.save",
            target=policy,
            changes={"mappings": [before, [str(m) for m in made]]},
        )
    return made


@dataclass(frozen=True)
class Access:
    role: str
    unit: OrgUnit


def _match(mapping: GroupMapping, group: str) -> str | None:
    """The unit code this group gives under the mapping, or None."""
    if "{code}" not in mapping.group:
        return mapping.unit_code if group == mapping.group else None
    head, tail = mapping.group.split("{code}")
    pattern = re.escape(head) + r"([A-Za-z0-9_.-]{1,60})" + re.escape(tail)
    found = re.fullmatch(pattern, group)
    return mapping.unit_code.replace("{code}", found.group(1)) if found else None


def access_for_groups(*, policy: SignInPolicy, groups: list[str]) -> Access | None:
    """The role and unit a person's groups give: the widest role among the mapped groups (at
    the highest of its units), else the policy's default, else None (no access)."""
    found: list[tuple[int, int, OrgUnit, str]] = []
    mappings = GroupMapping.objects.filter(policy=policy) if policy.pk else []
    for mapping in mappings:
        for group in groups:
            code = _match(mapping, group)
            unit = (
                tenancy_selectors.unit_by_code_in_org(policy.organization_id, code)
                if code
                else None
            )
            if unit is not None and unit.is_active:
                found.append((ROLE_RANK.index(Role(mapping.role)), unit.depth, unit, mapping.role))
    if found:
        _, _, unit, role = min(found, key=lambda f: (f[0], f[1], f[2].pk))
        return Access(role=role, unit=unit)
    if policy.default_role:
        unit = policy.default_unit or tenancy_selectors.organization_root(policy.organization_id)
        return Access(role=policy.default_role, unit=unit)
    return None


# --- SCIM tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedScimToken:
    token: ScimToken
    secret: str  # shown once


def create_scim_token(*, actor: Scope, name: str) -> IssuedScimToken:
    _require_top_admin(actor)
    name = name.strip()
    if not name:
        raise InvalidInput("Give the token a name so you recognise it later.", "name")
    prefix = secrets.token_hex(6)
    secret = f"{SCIM_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ScimToken.objects.create(
            organization_id=actor.organization_id,
            name=name[:100],
            prefix=prefix,
            digest=_digest(secret),
        )
        record_audit(actor=actor, action="identity.scim_token.create", target=token)
    return IssuedScimToken(token=token, secret=secret)


def revoke_scim_token(*, actor: Scope, token_id: int) -> ScimToken:
    _require_top_admin(actor)
    token = ScimToken.objects.filter(
        organization_id=actor.organization_id, pk=token_id, revoked_at__isnull=True
    ).first()
    if token is None:
        raise NotFound("No such token.")
    with transaction.atomic():
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(actor=actor, action="identity.scim_token.revoke", target=token)
    return token


def authenticate_scim(*, secret: str) -> ScimToken | None:
    """The live SCIM token behind a bearer secret (its organisation is the client's), or
    None; marks it used at most once a minute."""
    if not secret.startswith(SCIM_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(SCIM_PREFIX) :].split("_", 1)[0]
    token = ScimToken.objects.filter(prefix=prefix, revoked_at__isnull=True).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ScimToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- replay ------------------------------------------------------------------------------


def use_assertion_once(*, organization_id: int, assertion_id: str, expires_at: Any) -> bool:
    """Record an assertion (or ID token) as used; False when it was used before."""
    now = timezone.now()
    SeenAssertion.objects.filter(expires_at__lt=now - timedelta(hours=1)).delete()
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(
                organization_id=organization_id,
                assertion_id=assertion_id[:255],
                expires_at=max(expires_at, now + timedelta(minutes=10)),
            )
    except IntegrityError:
        return False
    return True
