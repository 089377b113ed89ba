"""Removing an organisation: every row that belongs to it, its units, and the logins that
belonged only to it (a previous demo, through tenancy.services.delete_organization)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, ProtectedError, RestrictedError

from voxloop.tenancy.models import Membership, Organization, OrgUnit


def _owned_models() -> list:
    """Every model with a foreign key to Organization, whichever app adds it later."""
    found = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            many_to_one = getattr(field, "many_to_one", False)
            if many_to_one and field.related_model is Organization and model is not OrgUnit:
                found.append((model, field.name))
    return found


@transaction.atomic
def delete_organization(slug: str) -> bool:
    """Delete an organisation with all its data and the users who belonged only to it."""
    org = Organization.objects.filter(slug=slug).first()
    if org is None:
        return False
    users = Membership.objects.filter(organization=org).values_list("user_id", flat=True)
    only_here = (
        get_user_model()
        .objects.filter(pk__in=list(users))
        .exclude(memberships__organization__in=Organization.objects.exclude(pk=org.pk))
    )
    only_here_ids = list(only_here.values_list("pk", flat=True))
    _delete_rows(org)
    deepest = OrgUnit.objects.filter(organization=org).aggregate(d=Max("depth"))["d"] or 0
    for depth in range(deepest, -1, -1):  # children first: a unit protects its parent
        OrgUnit.objects.filter(organization=org, depth=depth).delete()
    org.delete()
    get_user_model().objects.filter(pk__in=only_here_ids).delete()
    return True


def _delete_rows(org: Organization) -> None:
    """Rows protect one another across apps; retry until every table is empty for this org."""
    pending = _owned_models()
    for _ in range(len(pending) + 1):
        blocked = []
        for model, field in pending:
            try:
                with transaction.atomic():
                    model._default_manager.filter(**{field: org}).delete()
            except (ProtectedError, RestrictedError):
                blocked.append((model, field))
        if not blocked:
            return
        pending = blocked
    names = ", ".join(model.__name__ for model, _ in pending)
    raise RuntimeError(f"Could not delete the rows of: {names}")
