"""Background work for outreach. Thin: every task calls a service.

Campaign sends run in batches (one SMTP connection per batch); delayed sends (triggers, quiet
hours, retries after a failure) are enqueued with run_after.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from voxloop.schedule.registry import every


@task()
def send_invitations(invitation_ids: list[int]) -> dict:
    from voxloop.distribution import services

    return services.send_batch(invitation_ids=invitation_ids)


@task()
def start_campaign(campaign_id: int) -> int:
    from voxloop.distribution import services

    return services.materialize(campaign_id=campaign_id)


@task()
def fire_triggers(organization_id: int, interaction_ids: list[int]) -> int:
    from voxloop.distribution.campaigns import triggers

    return triggers.fire_triggers(organization_id, interaction_ids)


@task()
def record_progress(ref: str, status: str, at: str) -> bool:
    from voxloop.distribution.tracking import progress

    return progress.record_progress(ref, status, at)


@every(timedelta(minutes=1), name="distribution.campaigns")
@task()
def launch_due_campaigns() -> int:
    from voxloop.distribution import services

    return services.launch_due()


@every(timedelta(minutes=15), name="distribution.followups")
@task()
def send_followups() -> dict:
    from voxloop.distribution.delivery import followups

    return followups.run()


@every(
    timedelta(seconds=getattr(settings, "INVITATION_RECOVER_SECONDS", 300)),
    name="distribution.recover_claims",
)
@task()
def recover_claims() -> dict:
    from voxloop.distribution import services

    return services.recover_claims()
