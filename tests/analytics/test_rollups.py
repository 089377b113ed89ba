"""Rollups stay equal to a recomputation from raw responses, whatever happens to them."""

from datetime import UTC, datetime, timedelta

from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.analytics.support import cx_survey, respond, staff_of
from voxloop.analytics import services
from voxloop.analytics.models import Counted, Rollup
from voxloop.responses.models import Response
from voxloop.responses.services import Submission, import_history
from voxloop.responses.signals import responses_changed
from voxloop.tenancy import services as tenancy_services
from voxloop.tenancy.models import subtree_q

START = datetime(2026, 10, 1, tzinfo=UTC)
PLACES = ["root", "c1", "c1r1", "c1r1s1", "c1r1s2", "c1r2s1", "c2r1s1", "c2r2s2"]


def snapshot() -> set[tuple]:
    return set(
        Rollup.objects.values_list(
            "organization_id",
            "node_path",
            "depth",
            "survey_id",
            "channel",
            "day",
            "facet",
            "value",
            "n",
            "promoters",
            "passives",
            "detractors",
            "csat_n",
            "csat_sum",
            "csat_sq",
            "csat_top2",
            "ces_n",
            "ces_sum",
            "ces_agree",
            "comments",
        )
    )


def assert_node_totals_match_raw(org) -> None:
    """Independently of the ledger: every unit's total equals an aggregate of its subtree."""
    for unit in org.units.values():
        raw = Response.objects.filter(subtree_q(unit.path, "unit_path"), is_complete=True)
        expected = raw.aggregate(
            n=Count("id"),
            promoters=Count("id", filter=Q(nps__gte=9)),
            detractors=Count("id", filter=Q(nps__lte=6)),
            csat=Sum("csat"),
        )
        got = Rollup.objects.filter(node_path=unit.path, facet="").aggregate(
            n=Sum("n"),
            promoters=Sum("promoters"),
            detractors=Sum("detractors"),
            csat=Sum("csat_sum"),
        )
        got = {k: v or 0 for k, v in got.items()}
        expected = {k: v or 0 for k, v in expected.items()}
        assert got == expected, unit.name


def test_submitted_response_reaches_every_level_within_the_event(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    store = world.acme.units["c1r1s1"]
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, store, nps=10, csat=5, comment="great", staff=staff_of(store))
    rows = Rollup.objects.filter(facet="", survey=survey)
    paths = {r.node_path for r in rows}
    assert paths == {
        world.acme.root.path,
        world.acme.units["c1"].path,
        world.acme.units["c1r1"].path,
        store.path,
    }
    assert all(r.n == 1 and r.promoters == 1 and r.comments == 1 for r in rows)
    # The staff rows at the store alone: its ancestors read them by path range (decision 0051).
    assert list(Rollup.objects.filter(facet="staff").values_list("node_path", flat=True)) == [
        store.path
    ]
    # Hours at the store's ancestors only: its own are read from the ledger (decision 0059).
    hours = Rollup.objects.filter(facet="hour", value="10")
    assert sorted(hours.values_list("depth", flat=True)) == [0, 1, 2]


def test_import_batches_are_counted(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    store = world.acme.units["c2r1s1"]
    subs = [
        Submission(
            survey=survey,
            answers={"nps": i % 11},
            unit=store,
            submitted_at=START + timedelta(hours=i),
        )
        for i in range(25)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert import_history(survey=survey, submissions=subs, batch_size=10) == 25
    assert Rollup.objects.get(node_path=world.acme.root.path, facet="", day=START.date()).n == 24
    assert_node_totals_match_raw(world.acme)


def test_delete_and_unit_move_are_followed(
    world, survey, immediate_tasks, django_capture_on_commit_callbacks
):
    org = world.acme
    with django_capture_on_commit_callbacks(execute=True):
        keep = respond(survey, org.units["c1r1s1"], nps=9)
        gone = respond(survey, org.units["c1r1s2"], nps=2)
    with django_capture_on_commit_callbacks(execute=True):
        Response.objects.filter(pk=gone.pk).delete()
    assert_node_totals_match_raw(org)
    assert not Counted.objects.filter(pk=gone.pk).exists()
    # The store moves to another country: its old ancestors lose it, the new ones gain it.
    with django_capture_on_commit_callbacks(execute=True):
        tenancy_services.move_unit(
            actor=org.system, unit=org.units["c1r1s1"], new_parent=org.units["c2r1"]
        )
    for unit in org.units.values():
        unit.refresh_from_db()
    assert_node_totals_match_raw(org)
    assert Rollup.objects.get(node_path=org.units["c2"].path, facet="").promoters == 1
    assert not Rollup.objects.filter(node_path=org.units["c1"].path).exists()
    assert keep.pk in set(Counted.objects.values_list("pk", flat=True))


operation = st.one_of(
    st.tuples(
        st.just("add"),
        st.sampled_from(PLACES),
        st.integers(0, 10),
        st.integers(0, 5),
        st.integers(0, 200),
        st.sampled_from(["web", "qr"]),
        st.booleans(),
    ),
    st.tuples(
        st.just("edit"),
        st.integers(0, 50),
        st.integers(0, 10),
        st.sampled_from(PLACES),
        st.integers(0, 200),
    ),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(operation, min_size=1, max_size=25))
def test_rollups_equal_recomputation_after_random_changes(
    world, immediate_tasks, django_capture_on_commit_callbacks, ops
):
    org = world.acme
    Response.objects.all().delete()
    services.rebuild(organization_id=org.root.organization_id)
    survey = cx_survey(org, name="Prop") if not hasattr(org, "_prop") else org._prop
    org._prop = survey
    for op in ops:
        with django_capture_on_commit_callbacks(execute=True):
            ids = list(Response.objects.order_by("pk").values_list("pk", flat=True))
            if op[0] == "add":
                _, place, nps, csat, hours, channel, comment = op
                unit = org.units[place]
                respond(
                    survey,
                    unit,
                    nps=nps,
                    csat=csat or None,
                    channel=channel,
                    at=START + timedelta(hours=hours),
                    comment="ok" if comment else "",
                    staff=staff_of(unit) if comment else None,
                )
            elif ids and op[0] == "edit":
                _, which, nps, place, hours = op
                target = ids[which % len(ids)]
                Response.objects.filter(pk=target).update(
                    nps=nps,
                    unit_path=org.units[place].path,
                    submitted_at=START + timedelta(hours=hours),
                )
                responses_changed.send(
                    Response, organization_id=org.root.organization_id, response_ids=[target]
                )
            elif ids and op[0] == "delete":
                Response.objects.filter(pk=ids[op[1] % len(ids)]).delete()
    incremental = snapshot()
    assert_node_totals_match_raw(org)
    services.rebuild(organization_id=org.root.organization_id)
    assert incremental == snapshot()
