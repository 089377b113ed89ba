"""Triggers keep their filters as a condition tree (voxloop.conditions), like segments and
alert rules; the older {"channel" or "attributes.<name>": value} mapping meant all equal."""

from django.db import migrations


def to_tree(apps, schema_editor):
    Trigger = apps.get_model("distribution", "Trigger")
    for trigger in Trigger.objects.all().only("pk", "filters").iterator():
        filters = trigger.filters or {}
        if "items" not in filters:
            items = [{"field": k, "op": "eq", "value": v} for k, v in filters.items()]
            trigger.filters = {"match": "all", "items": items}
            trigger.save(update_fields=["filters"])


def to_mapping(apps, schema_editor):
    Trigger = apps.get_model("distribution", "Trigger")
    for trigger in Trigger.objects.all().only("pk", "filters").iterator():
        filters = trigger.filters or {}
        if "items" in filters:
            items = [i for i in filters["items"] if "items" not in i and i.get("op") == "eq"]
            trigger.filters = {i["field"]: i["value"] for i in items}
            trigger.save(update_fields=["filters"])


class Migration(migrations.Migration):
    dependencies = [("distribution", "0005_anonymous_invitations_keep_no_answer")]

    operations = [migrations.RunPython(to_tree, to_mapping)]
