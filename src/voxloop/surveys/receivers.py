from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from voxloop.surveys import services
from voxloop.surveys.models import Question, Survey
from voxloop.surveys.selectors import recent_heads
from voxloop.tenancy.signals import unit_moved


@receiver(unit_moved)
def follow_unit_move(
    sender: object, organization_id: int, old_path: str, new_path: str, **kwargs: Any
) -> None:
    services.repath_after_move(
        organization_id=organization_id, old_path=old_path, new_path=new_path
    )
    recent_heads.forget_all()  # owners' paths changed


@receiver(post_save, sender=Question)
@receiver(post_delete, sender=Question)
def question_changed(sender: object, instance: Question, **kwargs: Any) -> None:
    # Every path that saves or deletes a question (services, admin inlines) gets here.
    services.mark_revised(survey_id=instance.survey_id)


@receiver(post_save, sender=Survey, dispatch_uid="surveys.survey_changed")
@receiver(post_delete, sender=Survey, dispatch_uid="surveys.survey_deleted")
def survey_changed(sender: object, **kwargs: Any) -> None:
    recent_heads.forget_all()  # a new revision, status or owner
