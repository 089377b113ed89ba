"""Sign-ins and sign-outs go into the audit log of the user's organisations."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from voxloop.tenancy.models import Membership
from voxloop.tenancy.scoping import Scope
from voxloop.tenancy.services import record_audit


def _audit_session(user, action: str) -> None:
    if user is None:
        return
    for membership in Membership.objects.filter(user=user).select_related("unit", "user"):
        record_audit(Scope.of(membership), action, membership.user)


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    _audit_session(user, "session.login")


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    _audit_session(user, "session.logout")
