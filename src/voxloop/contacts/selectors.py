"""Scoped reads of contacts and accounts."""

from django.db.models import Q, QuerySet

from voxloop.contacts.models import Account, Contact
from voxloop.tenancy.scoping import Scope


def visible_contacts(scope: Scope, search: str = "") -> QuerySet[Contact]:
    contacts = scope.filter(Contact.objects.all(), path_field="unit_path")
    if search:
        contacts = contacts.filter(
            Q(email__iexact=search) | Q(external_id=search) | Q(last_name__icontains=search)
        )
    return contacts.select_related("home_unit", "account")


def visible_accounts(scope: Scope) -> QuerySet[Account]:
    return scope.filter(Account.objects.all(), path_field="unit_path").select_related("owner")


def contact_count(scope: Scope) -> int:
    return visible_contacts(scope).count()


def contact_in_org(organization_id: int, contact_id: int | None) -> Contact | None:
    """Unscoped by design: a signed personal survey link names its contact; the survey's
    organisation bounds the lookup so a link can never reach another tenant's contact."""
    if contact_id is None:
        return None
    return Contact.objects.filter(organization_id=organization_id, pk=contact_id).first()
