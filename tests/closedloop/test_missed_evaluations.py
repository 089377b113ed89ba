"""A response whose alert task was lost (Redis away at the commit, a web node killed between the
commit and the enqueue) is evaluated by the sweep, once: one case, one email (decision 0039)."""

from datetime import timedelta

from django.utils import timezone

from tests.closedloop.support import submit
from voxloop.closedloop import evaluation
from voxloop.closedloop.models import Case, Evaluated

DETRACTOR = {"nps": 2, "improve": ["queue"], "comment": "Nobody at the till"}


def test_the_sweep_evaluates_a_response_whose_task_was_lost_once(
    world, survey, detractor_rule, immediate_tasks, smtp_settings
):
    store = world.acme.units["c1r1s1"]
    response = submit(survey, DETRACTOR, unit=store)  # on-commit hooks never run: task lost
    assert not Case.objects.filter(response=response).exists()
    now = timezone.now()
    window = {"since": now - timedelta(minutes=15), "until": now + timedelta(seconds=1)}
    assert evaluation.evaluate_missed(**window) == [response.pk]
    case = Case.objects.get(response=response)
    assert Evaluated.objects.filter(pk=response.pk).exists()
    assert len(smtp_settings.wait_for(1)) == 1
    # The next sweep finds it evaluated; running the task again alerts nobody twice.
    assert evaluation.evaluate_missed(**window) == []
    evaluation.evaluate_response(response_id=response.pk)
    assert list(Case.objects.filter(response=response)) == [case]
    assert len(smtp_settings.messages) == 1


def test_the_sweep_leaves_responses_younger_than_its_window(
    world, survey, detractor_rule, immediate_tasks
):
    response = submit(survey, DETRACTOR, unit=world.acme.units["c1r1s1"])
    now = timezone.now()
    since, until = now - timedelta(minutes=15), now - timedelta(seconds=30)
    assert evaluation.evaluate_missed(since=since, until=until) == []
    assert not Case.objects.filter(response=response).exists()
