from django.db import migrations, models

import voxloop.distribution.models


def give_each_its_own(apps, schema_editor):
    # AddField computes a callable default once for all existing rows; secrets are per widget.
    Widget = apps.get_model("distribution", "Widget")
    for widget in Widget.objects.only("pk"):
        widget.identity_secret = voxloop.distribution.models.new_identity_secret()
        widget.save(update_fields=["identity_secret"])


class Migration(migrations.Migration):
    dependencies = [("distribution", "0003_sms_hooks_and_claim_lease")]

    operations = [
        migrations.AddField(
            model_name="widget",
            name="identity_secret",
            field=models.CharField(
                default=voxloop.distribution.models.new_identity_secret,
                editable=False,
                max_length=64,
            ),
        ),
        migrations.RunPython(give_each_its_own, migrations.RunPython.noop),
    ]
