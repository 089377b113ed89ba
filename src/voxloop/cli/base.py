"""What every command shares: one-line errors, Django start-up, lookups by slug and code."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from voxloop.tenancy.models import Membership, Organization, OrgUnit

SETTINGS_MODULE = "voxloop.config.settings"
_ready = False


class CliError(click.ClickException):
    """A refusal the operator can fix; `main` prints it as one line and exits with 1."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


def django_ready() -> None:
    """Start Django once, lazily, so `voxloop --help` stays instant."""
    global _ready
    if _ready:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django

    django.setup()
    _ready = True


def prepare_database(verbosity: int = 0) -> None:
    """Apply migrations and create the cache table; both are no-ops when already done."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=verbosity)


def require_migrated() -> None:
    """Refuse politely when `voxloop init` has not prepared the database yet."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    connection = connections[DEFAULT_DB_ALIAS]
    try:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as error:  # an unreachable server, a bad URL, a locked file
        fail(f"cannot reach the database ({_first_line(error)})")
    if pending:
        fail("the database is not up to date; run: voxloop init")


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]


def organization(slug: str) -> Organization:
    from voxloop.tenancy import selectors

    found = selectors.organization_by_slug(slug)
    if found is None:
        known = ", ".join(org.slug for org in selectors.organizations())
        hint = f"known: {known}" if known else "create one with: voxloop init"
        fail(f"no organisation with slug '{slug}' ({hint})")
    return found


def root_unit(org: Organization) -> OrgUnit:
    from voxloop.tenancy import selectors

    return selectors.organization_root(org.pk)


def unit_by_code(org: Organization, code: str) -> OrgUnit:
    from voxloop.tenancy import selectors

    unit = selectors.unit_by_code_in_org(org.pk, code)
    if unit is None:
        fail(
            f"no unit with code '{code}' in organisation '{org.slug}' "
            f"(list units with: voxloop units --org {org.slug})"
        )
    return unit


def user_by_name(username: str) -> User:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username__iexact=username.strip()).first()
    if user is None:
        fail(f"no user named '{username}'")
    return user


def membership_of(user: User, org_slug: str | None) -> Membership:
    """The user's membership in the named organisation, or their only one."""
    from voxloop.tenancy import selectors

    memberships = selectors.memberships_of(user)
    if org_slug:
        found = memberships.filter(organization__slug=org_slug).first()
        if found is None:
            fail(f"'{user.username}' has no membership in organisation '{org_slug}'")
        return found
    some = list(memberships[:2])
    if not some:
        fail(f"'{user.username}' has no membership; grant one with: voxloop createuser")
    if len(some) > 1:
        fail(f"'{user.username}' belongs to several organisations; choose one with --org SLUG")
    return some[0]
