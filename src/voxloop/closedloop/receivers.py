"""The closed loop listens to responses arriving and to units moving."""

import logging
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from voxloop.closedloop import resolution_times, services
from voxloop.closedloop.models import Case
from voxloop.handover import RETRY_FOR, Gatherer
from voxloop.privacy.redaction import KnownPerson
from voxloop.privacy.signals import contact_erasing
from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted
from voxloop.reviews.signals import reviews_received
from voxloop.tenancy.signals import unit_moved, unit_time_zone_changed
from voxloop.textanalytics.signals import comments_analysed

log = logging.getLogger(__name__)


def _evaluate_together(organization_id: int, response_ids: list[int]) -> None:
    from voxloop.closedloop import evaluation
    from voxloop.closedloop.tasks import EVALUATION_BATCH, evaluate_responses, urgent

    for start in range(0, len(response_ids), EVALUATION_BATCH):
        chunk = response_ids[start : start + EVALUATION_BATCH]
        try:
            urgent(evaluate_responses).enqueue(organization_id, chunk)
        except Exception as error:
            # The queue is away (Redis restarting: alerts waited 12-23 s for it, decision
            # 0061): evaluate here. Evaluation is idempotent (`Evaluated`), so a sweep or a
            # job that did get through meanwhile sends nothing twice; what it enqueues in
            # turn (retries, webhooks) is the sweeps' if the queue is still away. Should this
            # fail too (the database away), the hand-over is tried again.
            log.warning("closed loop: queue away (%s); evaluating here", error)
            evaluation.evaluate_responses(organization_id=organization_id, response_ids=chunk)


# Responses submitted in this process are evaluated in one job per organisation and
# hand-over (decision 0049): the rules, routing and recipients are read once for them all.
# What a stopped process never handed over, `closedloop.evaluate_missed` evaluates.
# A hand-over that fails while the queue is away is tried again each second for a minute:
# the sweep's path took 30-90 s (decision 0057).
submitted = Gatherer(
    "closedloop.evaluate",
    lambda: settings.ALERT_EVALUATION_DELAY_SECONDS,
    _evaluate_together,
    retry_for=RETRY_FOR,
)


@receiver(response_submitted, dispatch_uid="closedloop.evaluate")
def evaluate_later(
    sender: object, response_id: int, response: Response | None = None, **kwargs: Any
) -> None:
    # Only an enqueue here: the rules, the routing and the SMTP conversation run in a worker.
    if response is not None and services.may_alert(response=response):
        submitted.add(response.organization_id, response_id)


@receiver(comments_analysed, dispatch_uid="closedloop.evaluate_text")
def evaluate_text_rules_later(sender: object, response_ids: list[int], **kwargs: object) -> None:
    # Rules on sentiment, theme or intent can only hold once the comments are read.
    # They alert as any detractor rule does, so they go ahead of campaigns and counting too.
    from voxloop.closedloop.evaluation import text_rule_responses
    from voxloop.closedloop.tasks import evaluate_responses, urgent

    for organization_id, ids in text_rule_responses(response_ids=response_ids).items():
        urgent(evaluate_responses).enqueue(organization_id, ids, text_only=True)


@receiver(reviews_received, dispatch_uid="closedloop.evaluate_reviews")
def evaluate_reviews_later(sender: object, events: list[dict], **kwargs: object) -> None:
    # A page of reviews costs one task per REVIEWS_PER_TASK, and none at all in an
    # organisation without active rules on reviews (most of them).
    from voxloop.closedloop.tasks import REVIEWS_PER_TASK, evaluate_reviews

    wanted = [e for e in events if services.may_alert_review(organization_id=e["organization_id"])]
    for start in range(0, len(wanted), REVIEWS_PER_TASK):
        evaluate_reviews.enqueue(wanted[start : start + REVIEWS_PER_TASK])


@receiver(unit_moved, dispatch_uid="closedloop.repath")
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )


@receiver(contact_erasing, dispatch_uid="closedloop.forget_person")
def forget_person(
    sender: object,
    organization_id: int,
    contact_id: int,
    response_ids: list[int],
    person: KnownPerson,
    now: datetime,
    **kw: Any,
) -> dict[str, int]:
    from voxloop.closedloop import forgetting

    return forgetting.forget_person(
        organization_id=organization_id,
        contact_id=contact_id,
        response_ids=response_ids,
        person=person,
        now=now,
    )


@receiver(unit_time_zone_changed, dispatch_uid="closedloop.recount_resolution_times")
def recount_resolution_times(sender: object, organization_id: int, **kwargs: Any) -> None:
    services.recount_resolution_times(organization_id=organization_id)


@receiver(post_save, sender=Case, dispatch_uid="closedloop.case_opened")
def count_opened_case(sender: object, instance: Case, created: bool, **kwargs: Any) -> None:
    """Every case opened (by a rule, by hand, from a review) is counted in the dashboards'
    kept case figures (decision 0058); later status changes count themselves."""
    if created:
        resolution_times.count(instance, sign=1)


@receiver(post_delete, sender=Case, dispatch_uid="closedloop.case_deleted")
def count_out_deleted_case(sender: object, instance: Case, **kwargs: Any) -> None:
    """A deleted case (its response expired or erased, or deleted with it) leaves the
    figures it was counted in."""
    resolution_times.count(instance, sign=-1)
