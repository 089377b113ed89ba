"""Anonymous answers given through a personal link kept "inv:<invitation>" as their source
key, which names the invitation and so the person. Give the current and last month's answers
their one-way key (so their people can still resume, and not answer twice), and forget the
key of older ones (decision 0016)."""

from django.db import migrations

ANONYMOUS_KINDS = ("employee",)


def key_anonymous_answers(apps, schema_editor):
    from django.utils import timezone

    from voxloop.responses import anonymity

    Response = apps.get_model("responses", "Response")
    Invitation = apps.get_model("distribution", "Invitation")
    keep_from = anonymity.previous_month(anonymity.month_of(timezone.now()))
    answers = Response.objects.filter(
        survey__kind__in=ANONYMOUS_KINDS, source_key__startswith="inv:"
    )
    for answer in answers.iterator(chunk_size=2000):
        ref = answer.source_key[4:]
        month = anonymity.month_of(answer.submitted_at or answer.started_at)
        contact_id = (
            Invitation.objects.filter(ref=ref).values_list("contact_id", flat=True).first()
        )
        key = None
        if month >= keep_from:
            person = anonymity.person_of(contact_id, ref)
            key = anonymity.source_key(answer.organization_id, answer.survey_id, person, month)
            if Response.objects.filter(
                organization_id=answer.organization_id, source_key=key
            ).exists():
                key = None  # the same person's other answer of that month keeps the key
        Response.objects.filter(pk=answer.pk).update(source_key=key)


class Migration(migrations.Migration):
    dependencies = [
        ("responses", "0005_kiosks_and_who_entered"),
        ("distribution", "0004_widget_identity_secret"),
    ]

    operations = [migrations.RunPython(key_anonymous_answers, migrations.RunPython.noop)]
