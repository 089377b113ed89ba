from datetime import datetime
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from voxloop.contacts import churn_rollup, services
from voxloop.contacts.models import Account, Contact, StatusChange
from voxloop.contacts.tasks import note_response
from voxloop.privacy.signals import contact_erasing
from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted
from voxloop.tenancy.signals import unit_moved, unit_time_zone_changed


@receiver(unit_moved)
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )


@receiver(response_submitted)
def remember_last_response(
    sender: object, response_id: int, response: Response, **kwargs: Any
) -> None:
    """Segments on 'last response' and 'NPS group' read the contact row; keep it current."""
    if response.contact_id and response.submitted_at:
        note_response.enqueue(
            response.contact_id, response.submitted_at.isoformat(), response.nps_group
        )


@receiver(contact_erasing, dispatch_uid="contacts.erase_person")
def erase_person(
    sender: object, organization_id: int, contact_id: int, now: datetime, **kwargs: Any
) -> dict[str, int]:
    return services.erase_person(organization_id=organization_id, contact_id=contact_id, now=now)


# --- the churn rollup follows every customer and status change (decision 0048) ------------


def _customer_changed(kind: str, instance: Any, update_fields: Any) -> None:
    if update_fields is not None and not (set(update_fields) & churn_rollup.FIELDS):
        return
    churn_rollup.reconcile(kind=kind, ids=[instance.pk])


@receiver(post_save, sender=Contact, dispatch_uid="contacts.churn_contact_saved")
@receiver(post_delete, sender=Contact, dispatch_uid="contacts.churn_contact_deleted")
def count_contact_churn(sender: object, instance: Contact, **kwargs: Any) -> None:
    _customer_changed("contact", instance, kwargs.get("update_fields"))


@receiver(post_save, sender=Account, dispatch_uid="contacts.churn_account_saved")
@receiver(post_delete, sender=Account, dispatch_uid="contacts.churn_account_deleted")
def count_account_churn(sender: object, instance: Account, **kwargs: Any) -> None:
    _customer_changed("account", instance, kwargs.get("update_fields"))


@receiver(post_save, sender=StatusChange, dispatch_uid="contacts.churn_status_saved")
@receiver(post_delete, sender=StatusChange, dispatch_uid="contacts.churn_status_deleted")
def count_status_change(sender: object, instance: StatusChange, **kwargs: Any) -> None:
    if instance.contact_id:
        churn_rollup.reconcile(kind="contact", ids=[instance.contact_id])
    if instance.account_id:
        churn_rollup.reconcile(kind="account", ids=[instance.account_id])


@receiver(unit_time_zone_changed, dispatch_uid="contacts.churn_follow_time_zone")
def follow_time_zone(sender: object, organization_id: int, path: str, **kwargs: Any) -> None:
    # Days under the unit are counted in its zone: count its customers' spells again.
    churn_rollup.reconcile_subtree(organization_id=organization_id, path=path)
