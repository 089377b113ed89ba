"""Which RQ queues `voxloop worker` listens to, and in which order (decision 0054)."""

from voxloop.cli.running import rq_queue_names


def test_the_urgent_queue_comes_first_whatever_the_configured_order(settings):
    settings.URGENT_QUEUE = "urgent"
    settings.RQ_QUEUES = {"default": {}, "exports": {}, "urgent": {}}
    assert rq_queue_names() == ["urgent", "default", "exports"]


def test_queues_named_on_the_command_line_are_all_it_takes_urgent_still_first(settings):
    settings.URGENT_QUEUE = "urgent"
    settings.RQ_QUEUES = {"urgent": {}, "default": {}}
    assert rq_queue_names(("default",)) == ["default"]
    assert rq_queue_names(("default", "urgent")) == ["urgent", "default"]
