"""Commands about the organisation and the people in it: init, createuser, token, units."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from voxloop.cli import base
from voxloop.cli.base import fail

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from voxloop.tenancy.models import OrgUnit

ROLES = ["admin", "analyst", "manager", "agent", "viewer"]
# Spelled out (not read from the model) so `voxloop --help` does not have to start Django.
UNIT_KINDS = [
    "company",
    "division",
    "country",
    "region",
    "area",
    "store",
    "branch",
    "department",
    "team",
]


def _interactive() -> bool:
    return sys.stdin.isatty()


def _ask(value: str | None, label: str, flag: str, secret: bool = False) -> str:
    """The flag's value, else a prompt on a terminal, else a one-line refusal."""
    if value:
        return value
    if not _interactive():
        fail(f"missing {flag} (or run interactively to be asked)")
    return click.prompt(label, hide_input=secret, confirmation_prompt=secret)


@click.command()
@click.option("--username", help="Login of the first administrator.")
@click.option("--email", help="Their email address.")
@click.option("--password", help="Their password (asked for when omitted on a terminal).")
@click.option("--organization", "org_name", help="Name of the organisation, e.g. 'Acme Retail'.")
@click.option("--slug", help="Short id of the organisation (default: from its name).")
@click.option("--no-admin", is_flag=True, help="Only prepare the database; create no one.")
def init(
    username: str | None,
    email: str | None,
    password: str | None,
    org_name: str | None,
    slug: str | None,
    no_admin: bool,
) -> None:
    """Set up the database, the organisation and its admin.

    Re-running it is safe: it applies new migrations and changes nothing else.
    """
    base.django_ready()
    base.prepare_database()
    from django.utils.text import slugify

    from voxloop.tenancy import selectors

    if no_admin:
        click.echo("Database ready.")
        return
    given = any((username, email, password, org_name, slug))
    if not given and selectors.any_admin():
        click.echo("Database ready; Voxloop is already initialised.")
        return
    org_name = _ask(org_name, "Organisation name", "--organization")
    slug = slug or slugify(org_name)[:60]
    if not slug:
        fail("the organisation name needs letters or digits; or pass --slug")
    username = _ask(username, "Admin username", "--username")
    _init_admin(org_name, slug, username, email, password)


def _init_admin(
    org_name: str, slug: str, username: str, email: str | None, password: str | None
) -> None:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    user = get_user_model().objects.filter(username__iexact=username).first()
    new_email = new_password = ""
    if user is None:
        # Everything is asked before anything is written: a refused password leaves no trace.
        new_email = _ask(email, "Admin email", "--email")
        new_password = _ask(password, "Admin password", "--password", secret=True)
    with transaction.atomic():
        root = _organization_root(org_name, slug)
        if user is None:
            from voxloop.accounts.services import create_user

            user = create_user(
                username=username, email=new_email, password=new_password, is_superuser=True
            )
            click.echo(f"Created administrator '{username}'.")
        _make_admin(root, user)


def _organization_root(org_name: str, slug: str) -> OrgUnit:
    from voxloop.tenancy import selectors, services

    org = selectors.organization_by_slug(slug)
    if org is not None:
        return selectors.organization_root(org.pk)
    root = services.create_organization(name=org_name, slug=slug)
    click.echo(f"Created organisation '{org_name}' ({slug}).")
    return root


def _make_admin(root: OrgUnit, user: User) -> None:
    from voxloop.tenancy import selectors, services
    from voxloop.tenancy.scoping import Scope

    slug = root.organization.slug
    existing = selectors.membership_in(user, root.organization_id)
    if existing is None:
        services.grant_membership(
            actor=Scope.system(root, "voxloop init"), user=user, unit=root, role="admin"
        )
        click.echo(f"'{user.username}' is admin of '{root.organization.name}'.")
    elif existing.role != "admin" or existing.unit_id != root.pk:
        fail(f"'{user.username}' already has a {existing.role} membership in '{slug}'; not changed")
    else:
        click.echo(f"Already initialised: '{user.username}' is admin of '{slug}'.")


@click.command()
@click.option("--username", required=True, help="Login name.")
@click.option("--email", default="", help="Email address (for password resets).")
@click.option("--password", help="Password; see also --prompt.")
@click.option("--prompt", "prompt_password", is_flag=True, help="Ask for the password.")
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--unit", "unit_code", help="Unit code (default: the whole organisation).")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What they may do.")
@click.option("--first-name", default="")
@click.option("--last-name", default="")
def createuser(
    username: str,
    email: str,
    password: str | None,
    prompt_password: bool,
    org_slug: str,
    unit_code: str | None,
    role: str,
    **names: Any,
) -> None:
    """Add a user with a role at a unit."""
    base.django_ready()
    base.require_migrated()
    from django.db import transaction

    from voxloop.accounts.services import create_user
    from voxloop.tenancy import services
    from voxloop.tenancy.scoping import Scope

    org = base.organization(org_slug)
    root = base.root_unit(org)
    unit = base.unit_by_code(org, unit_code) if unit_code else root
    if password and prompt_password:
        fail("give either --password or --prompt, not both")
    if prompt_password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with transaction.atomic():
        user = create_user(username=username, email=email, password=password, **names)
        actor = Scope.system(root, "voxloop createuser")
        services.grant_membership(actor=actor, user=user, unit=unit, role=role)
        services.record_audit(
            actor=actor, action="user.create", target=user, changes={"email": email}
        )
    click.echo(f"Created '{user.username}': {role} at {unit.name} ({unit.code}) in '{org.slug}'.")
    if not password:
        click.echo("No password set: they sign in after a password reset.")


@click.group()
def token() -> None:
    """Create, list or revoke personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--org", "org_slug", help="Organisation slug (needed when they belong to several).")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Days until it expires (default and most: VOXLOOP_TOKEN_MAX_DAYS, 365).",
)
def token_create(username: str, org_slug: str | None, name: str, days: int | None) -> None:
    """Create a token acting with the user's membership; prints it once."""
    base.django_ready()
    base.require_migrated()
    from datetime import timedelta

    from django.utils import timezone

    from voxloop.accounts.services import create_token

    membership = base.membership_of(base.user_by_name(username), org_slug)
    expires = timezone.now() + timedelta(days=days) if days else None
    issued = create_token(membership=membership, name=name, expires_at=expires)
    click.echo(
        f"Token {issued.token.pk} for '{membership.user.username}' "
        f"({membership.role} at {membership.unit.code}), expiring "
        f"{issued.token.expiry:%Y-%m-%d}. It is shown only once:",
        err=True,
    )
    click.echo(issued.secret)


@token.command("list")
@click.argument("username")
def token_list(username: str) -> None:
    """List a user's live tokens (never their secrets)."""
    base.django_ready()
    base.require_migrated()
    from voxloop.accounts import selectors

    user = base.user_by_name(username)
    for item in selectors.live_tokens_of(user):
        used = f"{item.last_used_at:%Y-%m-%d %H:%M}" if item.last_used_at else "never used"
        click.echo(f"{item.pk}\t{item}\t{used}")


@token.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    base.django_ready()
    base.require_migrated()
    from voxloop.accounts.selectors import live_token
    from voxloop.accounts.services import revoke_tokens
    from voxloop.tenancy.scoping import Scope
    from voxloop.tenancy.selectors import organization_root

    item = live_token(token_id)
    if item is None:
        fail(f"no live token with id {token_id}")
    root = organization_root(item.membership.organization_id)
    revoke_tokens(actor=Scope.system(root, "voxloop token revoke"), tokens=[item])
    click.echo(f"Revoked token {token_id}.")


@click.command()
@click.option("--org", "org_slug", required=True, help="Organisation slug.")
@click.option("--kind", type=click.Choice(UNIT_KINDS), help="Only units of this kind.")
@click.option("--under", "under_code", help="Only the subtree of this unit code.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="At most this many lines.",
)
def units(org_slug: str, kind: str | None, under_code: str | None, limit: int) -> None:
    """List an organisation's units by code."""
    base.django_ready()
    base.require_migrated()
    from voxloop.tenancy.scoping import Scope
    from voxloop.tenancy.selectors import visible_units

    org = base.organization(org_slug)
    top = base.unit_by_code(org, under_code) if under_code else base.root_unit(org)
    rows = visible_units(Scope.system(top), kind=kind)
    for unit in rows[:limit]:
        indent = "  " * (unit.depth - top.depth)
        click.echo(f"{unit.code:<12} {unit.kind:<10} {indent}{unit.name}")
    total = rows.count()
    if total > limit:
        click.echo(f"… {total - limit} more (use --limit, --kind or --under)", err=True)
