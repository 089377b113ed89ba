"""Sign-ins and sign-outs go into the audit log; a change to who may do what empties the
recently authenticated tokens of this process, and of every process when Redis is set."""

from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest

from voxloop.accounts import recent_tokens
from voxloop.accounts.models import ApiToken
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import Membership, OrgUnit
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit
from voxloop.tenancy.signals import unit_moved


def _audit_session(user: User | None, action: str) -> None:
    if user is None:
        return
    for membership in tenancy_selectors.memberships_of(user):
        record_audit(actor=Scope.of(membership), action=action, target=membership.user)


@receiver(user_logged_in)
def audit_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    _audit_session(user, "session.login")


@receiver(user_logged_out)
def audit_logout(sender: object, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    _audit_session(user, "session.logout")


@receiver(post_save, sender=ApiToken)
@receiver(post_delete, sender=ApiToken)
@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
@receiver(post_save, sender=settings.AUTH_USER_MODEL)
@receiver(post_delete, sender=settings.AUTH_USER_MODEL)
@receiver(post_save, sender=OrgUnit)
def access_changed(
    sender: object, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in changes nobody's access
    recent_tokens.held.forget_all()


@receiver(unit_moved)
def unit_moved_elsewhere(sender: object, **kwargs: Any) -> None:
    recent_tokens.held.forget_all()  # a token's scope is its unit's path
