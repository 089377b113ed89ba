"""The dashboards' case figures (the analytics `case_metrics` hook): counts, resolution time,
SLA compliance with its Wilson interval and the period-over-period z-test, checked against
hand-computed values and scipy; and the scope they are read through."""

import math
from datetime import UTC, date, datetime, timedelta

import pytest
from scipy import stats

from tests.closedloop.support import give_cause, submit
from tests.surveys.builders import store_visit_survey
from voxloop.analytics import filters, hooks
from voxloop.closedloop import casework, evaluation, services, sla
from voxloop.errors import Forbidden, NotFound

LOW = {"nps": 3, "improve": ["queue"]}
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
NOVEMBER = {"start": "2026-11-01", "end": "2026-11-30"}  # previous period: 2 Oct - 31 Oct
# The detractor rule's SLA is 48 hours: the cases resolved after more than 48 h are late.
NOV_HOURS = {"c1r1s1": [2, 10, 30, 60, 100], "c1r1s2": [5], "c1r2s1": [1]}
OCT_HOURS = [1, 3, 70, 80]


def period(**extra) -> filters.Filters:
    return filters.parse({**NOVEMBER, **extra}, today=date(2026, 12, 1))


def opened(survey, unit, at):
    return evaluation.evaluate_response(response_id=submit(survey, LOW, unit=unit).pk, now=at)[0]


@pytest.fixture
def cases(world, survey, detractor_rule):
    acme = world.acme
    admin = acme.scope("admin")
    made = {}
    for key, hours in NOV_HOURS.items():
        for h in hours:
            case = opened(survey, acme.units[key], datetime(2026, 11, 2, 9, tzinfo=UTC))
            give_cause(case)
            casework.change_status(
                actor=admin, case=case, status="resolved", now=case.created_at + timedelta(hours=h)
            )
            made.setdefault(key, []).append(case)
    for h in OCT_HOURS:
        case = opened(survey, acme.units["c1r1s1"], datetime(2026, 10, 10, 9, tzinfo=UTC))
        give_cause(case)
        casework.change_status(
            actor=admin, case=case, status="closed", now=case.created_at + timedelta(hours=h)
        )
    # Still open on 1 Dec: one past its due time, one not yet.
    made["overdue"] = opened(survey, acme.units["c1r1s1"], datetime(2026, 11, 20, 9, tzinfo=UTC))
    made["open"] = opened(survey, acme.units["c1r1s2"], datetime(2026, 11, 30, 10, tzinfo=UTC))
    return made


def test_regional_figures_match_hand_computed_values(world, cases):
    # min_n = 1 so that the changes are tested at these hand-sized counts.
    figures = sla.case_metrics(world.acme.scope("regional"), period(min_n="1"), now=NOW)
    # Region 1.1: six cases resolved in November (2, 5, 10, 30, 60, 100 h), two still open.
    assert (figures["opened"], figures["resolved"]) == (8, 6)
    assert (figures["open"], figures["overdue"]) == (2, 1)
    hours = figures["resolution_hours"]
    assert hours["n"] == 6
    assert hours["median"] == 20.0  # (10 + 30) / 2
    assert hours["mean"] == 34.5  # 207 / 6
    assert hours["p90"] == 80.0  # rank 4.5 between 60 and 100
    sample = [2, 5, 10, 30, 60, 100]
    assert hours["p90"] == pytest.approx(stats.scoreatpercentile(sample, 90))
    assert hours["median"] == pytest.approx(stats.scoreatpercentile(sample, 50))

    # SLA compliance: 4 of the 6 within 48 h, with the (continuity-corrected) Wilson
    # interval scipy computes.
    sla_figure = figures["sla_compliance"]
    assert figures["sla_met"] == 4 and sla_figure["n"] == 6
    assert sla_figure["value"] == pytest.approx(100 * 4 / 6, abs=1e-4)
    wilson = stats.binomtest(4, 6).proportion_ci(confidence_level=0.95, method="wilsoncc")
    assert sla_figure["low"] == pytest.approx(100 * wilson.low, abs=1e-3)
    assert sla_figure["high"] == pytest.approx(100 * wilson.high, abs=1e-3)
    assert sla_figure["low_sample"] is False  # n = 6 ≥ min_n = 1

    # Against October (2 of 4 within SLA): Fisher's exact test, counts this small.
    change = figures["sla_compliance_change"]
    assert change["delta"] == pytest.approx(100 * (4 / 6 - 2 / 4), abs=1e-4)
    assert change["method"] == "fisher_exact"
    fisher = stats.fisher_exact([[4, 2], [2, 2]]).pvalue
    assert change["p_value"] == pytest.approx(fisher, abs=1e-5)
    assert change["significant"] is False
    assert figures["previous"]["resolved"] == 4 and figures["previous"]["sla_met"] == 2

    # Mean resolution time against October: Welch's statistic, as scipy computes it.
    welch = stats.ttest_ind(sample, OCT_HOURS, equal_var=False)
    assert figures["resolution_time_change"]["z"] == pytest.approx(welch.statistic, abs=1e-5)
    mean = figures["resolution_time"]
    half = stats.t.ppf(0.975, 5) * stats.tstd(sample) / math.sqrt(6)  # Student's t
    assert (mean["low"], mean["high"]) == pytest.approx(
        (max(0.0, 34.5 - half), 34.5 + half), abs=1e-3
    )  # a duration's interval is cut at 0 h


def test_no_change_is_claimed_below_the_minimum_n_on_either_side(world, cases):
    # The dashboards' rule (issue 15): 6 resolved cases against 4 say nothing about a trend
    # at the default minimum of 30, so no test is run and the reason is given.
    figures = sla.case_metrics(world.acme.scope("regional"), period(), now=NOW)
    assert figures["sla_compliance"]["low_sample"] is True
    for key in ("sla_compliance_change", "resolution_time_change"):
        change = figures[key]
        assert change["reason"] == "low_sample"
        assert change["p_value"] is None and change["significant"] is False
    # Enough on this side only is still not enough.
    figures = sla.case_metrics(world.acme.scope("regional"), period(min_n="5"), now=NOW)
    assert figures["sla_compliance_change"]["reason"] == "low_sample"  # October has 4
    figures = sla.case_metrics(world.acme.scope("regional"), period(min_n="4"), now=NOW)
    assert figures["sla_compliance_change"]["reason"] is None


def test_every_reader_sees_their_own_subtree_only(world, cases):
    acme = world.acme
    assert sla.case_metrics(acme.scope("admin"), period(), now=NOW)["resolved"] == 7
    store = sla.case_metrics(acme.scope("store"), period(), now=NOW)
    assert (store["resolved"], store["sla_met"], store["open"]) == (5, 3, 1)
    # The unit filter narrows inside the scope; a unit outside it is not found.
    sibling = sla.case_metrics(acme.scope("regional"), period(unit=str(acme.units["c1r1s2"].pk)))
    assert (sibling["resolved"], sibling["opened"]) == (1, 2)
    with pytest.raises(NotFound):
        sla.case_metrics(acme.scope("regional"), period(unit=str(acme.units["c1r2s1"].pk)))
    with pytest.raises(NotFound):
        sla.case_metrics(acme.scope("store"), period(unit=str(acme.units["c1r1s2"].pk)))


def test_other_tenant_sees_none_of_our_cases_and_cannot_name_our_units(world, cases):
    other = world.other
    theirs = sla.case_metrics(other.scope("admin"), period(), now=NOW)
    assert (theirs["opened"], theirs["resolved"], theirs["open"]) == (0, 0, 0)
    assert theirs["sla_compliance"]["value"] is None
    with pytest.raises(NotFound):
        sla.case_metrics(other.scope("admin"), period(unit=str(world.acme.root.pk)))


def test_agents_count_their_own_cases_and_viewers_none(world, cases):
    acme = world.acme
    agent = acme.members["agent"]
    casework.assign(
        actor=acme.scope("store"), case=cases["overdue"], user_id=agent.user_id, now=NOW
    )
    mine = sla.case_metrics(acme.scope("agent"), period(), now=NOW)
    assert (mine["opened"], mine["open"], mine["overdue"], mine["resolved"]) == (1, 1, 1, 0)
    with pytest.raises(Forbidden):
        sla.case_metrics(acme.scope("viewer"), period(), now=NOW)


def test_survey_filter_counts_that_surveys_cases(world, cases, survey):
    acme = world.acme
    other_survey = store_visit_survey(acme)
    services.update_rule(
        actor=acme.scope("admin"), rule=cases["open"].rule, survey_ids=[survey.pk, other_survey.pk]
    )
    opened(other_survey, acme.units["c1r1s1"], datetime(2026, 11, 5, 9, tzinfo=UTC))
    regional = acme.scope("regional")
    assert sla.case_metrics(regional, period(), now=NOW)["opened"] == 9
    assert sla.case_metrics(regional, period(survey=str(survey.pk)), now=NOW)["opened"] == 8
    only = sla.case_metrics(regional, period(survey=str(other_survey.pk)), now=NOW)
    assert (only["opened"], only["resolved"]) == (1, 0)


def test_closed_loop_registers_the_hook():
    assert hooks.PROVIDERS["case_metrics"] is sla.case_metrics


def test_a_segment_narrows_the_cases_to_its_members(world, survey, detractor_rule):
    from tests.contacts.helpers import add_contact
    from voxloop.contacts import services as contact_services

    acme = world.acme
    vip = add_contact(acme, "c1r1s1", "VIP", attributes={"tier": "gold"})
    plain = add_contact(acme, "c1r1s1", "PLAIN", attributes={"tier": "silver"})
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    for contact in (vip, vip, plain):
        response = submit(survey, LOW, unit=acme.units["c1r1s1"], contact=contact)
        evaluation.evaluate_response(response_id=response.pk, now=at)
    gold = contact_services.save_segment(
        actor=acme.scope("admin"),
        unit=acme.root,
        name="Gold",
        filters=[{"field": "attributes.tier", "value": "gold"}],
    )
    everyone = sla.case_metrics(acme.scope("regional"), period(), now=NOW)
    only_gold = sla.case_metrics(acme.scope("regional"), period(segment=str(gold.pk)), now=NOW)
    assert (everyone["opened"], only_gold["opened"]) == (3, 2)
