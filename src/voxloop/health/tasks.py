"""Background work: thin calls into `computing`."""

from __future__ import annotations

from datetime import timedelta

from django_tasks import task

from voxloop.health import computing
from voxloop.schedule.registry import every
from voxloop.tenancy import selectors as tenancy_selectors


@every(timedelta(hours=6), name="health.score_all")
@task()
def score_all() -> int:
    """Every organisation's accounts and B2B contacts, four times a day."""
    done = 0
    for organization in tenancy_selectors.organizations():
        run = computing.compute(organization_id=organization.pk)
        done += run.accounts + run.contacts
    return done


@task()
def rescore_contacts(organization_id: int, contact_ids: list[int]) -> int:
    """These contacts and their accounts, after an event about them."""
    run = computing.compute(organization_id=organization_id, contact_ids=contact_ids)
    return run.accounts + run.contacts
