"""Interaction types are owned by a unit (existing ones by the organisation's root, where they
applied before) and can be archived."""

import django.db.models.deletion
from django.db import migrations, models


def owned_by_the_root(apps, schema_editor):
    InteractionType = apps.get_model("contacts", "InteractionType")
    OrgUnit = apps.get_model("tenancy", "OrgUnit")
    roots = {
        u.organization_id: u
        for u in OrgUnit.objects.filter(parent__isnull=True).only("id", "organization_id", "path")
    }
    for kind in InteractionType.objects.all():
        root = roots[kind.organization_id]
        kind.unit_id, kind.unit_path = root.pk, root.path
        kind.save(update_fields=["unit", "unit_path"])


class Migration(migrations.Migration):
    # PostgreSQL refuses to alter a table with rows updated in the same transaction (their
    # deferred foreign-key checks are pending): the data step commits on its own.
    atomic = False

    dependencies = [
        ("contacts", "0005_contact_erased_at"),
        ("tenancy", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="interactiontype",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.orgunit",
                verbose_name="owner",
            ),
        ),
        migrations.AddField(
            model_name="interactiontype",
            name="unit_path",
            field=models.CharField(default="", editable=False, max_length=255),
        ),
        migrations.AddField(
            model_name="interactiontype",
            name="archived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="archived"),
        ),
        migrations.RunPython(owned_by_the_root, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="interactiontype",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="tenancy.orgunit",
                verbose_name="owner",
            ),
        ),
        migrations.RemoveConstraint(model_name="interactiontype", name="interaction_type_key"),
        migrations.AddConstraint(
            model_name="interactiontype",
            constraint=models.UniqueConstraint(
                fields=("organization", "unit", "key"), name="interaction_type_unit_key"
            ),
        ),
        migrations.AddIndex(
            model_name="interactiontype",
            index=models.Index(
                fields=["organization", "unit_path"], name="interaction_type_org_path"
            ),
        ),
    ]
