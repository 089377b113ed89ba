"""Segments keep their filters as a condition tree (voxloop.conditions), like every other
condition a business user builds; a flat list meant "all of them"."""

from django.db import migrations, models


def to_tree(apps, schema_editor):
    Segment = apps.get_model("contacts", "Segment")
    for segment in Segment.objects.all().only("pk", "filters").iterator():
        if isinstance(segment.filters, list):
            segment.filters = {"match": "all", "items": segment.filters}
            segment.save(update_fields=["filters"])


def to_list(apps, schema_editor):
    Segment = apps.get_model("contacts", "Segment")
    for segment in Segment.objects.all().only("pk", "filters").iterator():
        tree = segment.filters
        if isinstance(tree, dict):
            flat = [i for i in tree.get("items", []) if "items" not in i]
            segment.filters = flat if tree.get("match", "all") == "all" else flat[:1]
            segment.save(update_fields=["filters"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0006_interaction_types_owned_by_a_unit")]

    operations = [
        migrations.AlterField(
            model_name="segment",
            name="filters",
            field=models.JSONField(blank=True, default=dict, verbose_name="filters"),
        ),
        migrations.RunPython(to_tree, to_list),
    ]
