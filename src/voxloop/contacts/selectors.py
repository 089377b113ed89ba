"""Scoped reads of contacts and accounts."""

from django.db.models import Q, QuerySet

from voxloop.contacts.models import Account, Contact
from voxloop.tenancy.models import subtree_q
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


def contact_by_external_id(organization_id: int, external_id: str) -> Contact | None:
    """Unscoped by design, like contact_in_org: a customer's site names its own user; the
    widget's organisation bounds the lookup."""
    if not external_id:
        return None
    return Contact.objects.filter(organization_id=organization_id, external_id=external_id).first()


def contact(scope: Scope, contact_id: int) -> Contact:
    return scope.get(visible_contacts(scope), path_field="unit_path", pk=contact_id)


def interaction_types(scope: Scope):
    from voxloop.contacts.models import InteractionType

    return InteractionType.objects.filter(organization_id=scope.organization_id)


def visible_segments(scope: Scope):
    """Segments owned in the subtree, and those of units above it (a company-wide segment is
    usable everywhere; its members are still only the caller's own contacts)."""
    from voxloop.contacts.models import Segment

    return (
        Segment.objects.filter(organization_id=scope.organization_id)
        .filter(
            Q(unit_path__in=_ancestor_paths(scope.unit_path))
            | subtree_q(scope.unit_path, "unit_path")
        )
        .select_related("unit")
    )


def _ancestor_paths(path: str) -> list[str]:
    from voxloop.tenancy.models import PATH_SEGMENT_WIDTH

    return [path[:end] for end in range(PATH_SEGMENT_WIDTH, len(path), PATH_SEGMENT_WIDTH)]


def segment(scope: Scope, segment_id: int):
    found = visible_segments(scope).filter(pk=segment_id).first()
    if found is None:
        from voxloop.errors import NotFound

        raise NotFound("No such segment.", field="segment")
    return found


def segment_members(scope: Scope, segment_id: int) -> QuerySet[Contact]:
    from voxloop.contacts.segments import segment_contacts

    return segment_contacts(visible_contacts(scope), segment(scope, segment_id))
