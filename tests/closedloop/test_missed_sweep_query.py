"""The alerts' sweep finds what no worker evaluated in one anti-join (decision 0062): the same
responses the old way found (every id of the window read, the ledger subtracted in Python),
with only the missing rows leaving the database."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.closedloop import evaluation
from voxloop.closedloop.models import AlertRule, Evaluated
from voxloop.responses.models import Response
from voxloop.surveys.models import ANONYMOUS_KINDS, Survey

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
DETRACTOR = {"nps": 2, "improve": ["queue"], "comment": "Nobody at the till"}


def _mix(world, survey):
    """Responses held and missing, inside and outside the window; the missing ones due."""
    now = timezone.now()
    store, other_store = world.acme.units["c1r1s1"], world.other.units["c1r1s1"]
    at = {"inside": now - timedelta(minutes=5), "old": now - timedelta(minutes=20)}

    def given(when, target=survey, unit=store):
        return submit(target, DETRACTOR, unit=unit, submitted_at=when)

    held = [given(at["inside"]) for _ in range(3)]
    Evaluated.objects.bulk_create([Evaluated(response_id=r.pk, at=now) for r in held])
    missing = [given(at["inside"]) for _ in range(4)]
    outside = [given(at["old"]), given(now)]  # before the window, too young
    anonymous = store_visit_survey(world.acme)
    unnamed = given(at["inside"], anonymous)
    Survey.objects.filter(pk=anonymous.pk).update(kind=ANONYMOUS_KINDS[0])
    other_survey = store_visit_survey(world.other)
    no_rules = given(at["inside"], other_survey, other_store)  # an organisation without rules
    started = given(at["inside"])
    Response.objects.filter(pk=started.pk).update(is_complete=False)
    window = {"since": now - timedelta(minutes=15), "until": now - timedelta(seconds=10)}
    skipped = [*held, *outside, unnamed, no_rules, started]
    return window, [r.pk for r in missing], [r.pk for r in skipped]


def _the_old_way(since, until) -> list[int]:
    """What evaluate_missed found before 0062, written out (the reference)."""
    complete = Response.objects.filter(is_complete=True)
    recent = set(complete.filter(submitted_at__gte=since).values_list("pk", flat=True))
    recent -= set(complete.filter(submitted_at__gte=until).values_list("pk", flat=True))
    recent -= set(Evaluated.objects.filter(pk__in=recent).values_list("pk", flat=True))
    rows = complete.filter(pk__in=recent).exclude(survey__kind__in=ANONYMOUS_KINDS)
    orgs = set(
        AlertRule.objects.filter(is_active=True, applies_to="responses").values_list(
            "organization_id", flat=True
        )
    )
    return sorted(pk for pk, org in rows.values_list("pk", "organization_id") if org in orgs)


def test_the_sweep_finds_the_same_responses_as_before(world, survey, detractor_rule, settings):
    settings.TASKS = DUMMY
    window, missing, skipped = _mix(world, survey)
    found = evaluation.evaluate_missed(**window)
    assert found == sorted(missing) == _the_old_way(**window)
    assert not set(found) & set(skipped)


def test_the_sweep_reads_only_the_missing_rows_in_one_query(
    world, survey, detractor_rule, settings
):
    settings.TASKS = DUMMY
    window, missing, _ = _mix(world, survey)
    with CaptureQueriesContext(connection) as queries:
        assert evaluation.evaluate_missed(**window) == sorted(missing)
    reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # One SELECT, an anti-join against the ledger: the window's ids never reach Python.
    assert len(reads) == 1, reads
    assert "NOT EXISTS" in reads[0] and "closedloop_evaluated" in reads[0]
