"""The closed loop listens to responses arriving and to units moving."""

from datetime import datetime
from typing import Any

from django.dispatch import receiver

from voxloop.closedloop import services
from voxloop.privacy.redaction import KnownPerson
from voxloop.privacy.signals import contact_erasing
from voxloop.responses.models import Response
from voxloop.responses.signals import response_submitted
from voxloop.reviews.signals import reviews_received
from voxloop.tenancy.signals import unit_moved
from voxloop.textanalytics.signals import comments_analysed


@receiver(response_submitted, dispatch_uid="closedloop.evaluate")
def evaluate_later(
    sender: object, response_id: int, response: Response | None = None, **kwargs: Any
) -> None:
    # Only an enqueue here: the rules, the routing and the SMTP conversation run in a worker.
    if response is not None and services.may_alert(response=response):
        from voxloop.closedloop.tasks import evaluate_response

        evaluate_response.enqueue(response_id)


@receiver(comments_analysed, dispatch_uid="closedloop.evaluate_text")
def evaluate_text_rules_later(sender: object, response_ids: list[int], **kwargs: object) -> None:
    # Rules on sentiment, theme or intent can only hold once the comments are read.
    from voxloop.closedloop.evaluation import text_rule_responses
    from voxloop.closedloop.tasks import evaluate_response

    for response_id in text_rule_responses(response_ids=response_ids):
        evaluate_response.enqueue(response_id, text_only=True)


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
