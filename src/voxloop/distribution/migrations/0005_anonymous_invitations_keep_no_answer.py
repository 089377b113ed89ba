"""An anonymous survey's invitation no longer records its person starting or completing the
survey, and its opens and clicks only by the day (decision 0016): clear what was recorded."""

from django.db import migrations

ANONYMOUS_KINDS = ("employee",)
ANSWERED = ("started", "completed")


def forget_answering(apps, schema_editor):
    from django.utils import timezone

    Invitation = apps.get_model("distribution", "Invitation")
    invitations = Invitation.objects.filter(survey__kind__in=ANONYMOUS_KINDS)
    invitations.filter(status__in=ANSWERED).update(status="clicked")
    invitations.update(started_at=None, completed_at=None)
    stamped = invitations.exclude(opened_at=None, clicked_at=None)
    for invitation in stamped.iterator(chunk_size=2000):
        days = {}
        for field in ("opened_at", "clicked_at"):
            at = getattr(invitation, field)
            if at is not None:
                local = timezone.localtime(at)
                days[field] = local.replace(hour=0, minute=0, second=0, microsecond=0)
        Invitation.objects.filter(pk=invitation.pk).update(**days)


class Migration(migrations.Migration):
    dependencies = [("distribution", "0004_widget_identity_secret")]

    operations = [migrations.RunPython(forget_answering, migrations.RunPython.noop)]
