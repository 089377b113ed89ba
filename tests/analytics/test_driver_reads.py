"""Drivers and choice effects per survey, among those shown the question (issue 15 item 5)."""

from datetime import UTC, datetime

import numpy as np
import pytest

from tests.analytics.support import cx_survey, respond
from voxloop.analytics import driver_reads, filters, selectors
from voxloop.contacts import services as contact_services
from voxloop.contacts.models import Contact
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys import services as survey_services

AT = datetime(2026, 11, 3, 10, tzinfo=UTC)
T = {"title": {"en": "Q"}}


def f(**params):
    return filters.parse({"period": "365d", **params})


def _survey_with_improve(org, kind, name, show_if=None, text=False):
    actor = org.scope("admin")
    survey = survey_services.create_survey(
        actor=actor, unit=org.root, name=name, kind=kind, default_locale="en", locales=[]
    )
    survey_services.add_question(actor=actor, survey=survey, key="nps", type="nps", texts=T)
    if text:
        survey_services.add_question(
            actor=actor, survey=survey, key="improve", type="long_text", texts=T
        )
    else:
        survey_services.add_question(
            actor=actor,
            survey=survey,
            key="improve",
            type="single_choice",
            texts=T,
            config={"choices": [{"key": k, "label": {"en": k}} for k in ("price", "queue")]},
            show_if=show_if,
        )
    survey_services.publish(actor=actor, survey=survey)
    return survey


def test_a_display_logic_question_is_compared_among_those_shown_it(world):
    store = world.acme.units["c1r1s1"]
    only_detractors = {"all": [{"question": "nps", "op": "lte", "value": 6}]}
    survey = _survey_with_improve(world.acme, "transactional", "Store", only_detractors)
    for i in range(40):
        respond(survey, store, nps=10, at=AT)  # promoters never see `improve`
        respond(survey, store, nps=2 if i % 2 else 5, at=AT, improve="price" if i % 2 else "queue")
    ctx = selectors.context(world.acme.scope("store"), f(min_n="10"))
    rows = {r["value"]: r for r in driver_reads.choice_effects(ctx, "improve")}
    # Among the 40 detractors shown the question, not against the 40 promoters who were not:
    # no "−100 by construction".
    assert rows["price"]["with"]["n"] == 20 and rows["price"]["without"]["n"] == 20
    assert rows["price"]["without"]["value"] == -100
    assert rows["price"]["difference"]["delta"] == 0
    assert not rows["price"]["difference"]["significant"]


def test_a_key_that_is_text_in_another_survey_is_not_merged(world):
    store = world.acme.units["c1r1s1"]
    choice = _survey_with_improve(world.acme, "transactional", "Store")
    text = _survey_with_improve(world.acme, "relationship", "Relationship", text=True)
    for i in range(12):
        respond(choice, store, nps=9, at=AT, improve="price" if i % 3 else "queue")
        respond(text, store, nps=3, at=AT, improve=f"comment number {i}")
    ctx = selectors.context(world.acme.scope("store"), f(min_n="3"))
    rows = driver_reads.choice_effects(ctx, "improve")
    assert {r["value"] for r in rows} == {"price", "queue"}  # no comment became a row
    assert {r["survey_id"] for r in rows} == {choice.pk}
    assert sum(r["with"]["n"] for r in rows) == 12


def test_drivers_per_survey_with_intervals_and_no_identifiers(world, survey):
    store = world.acme.units["c1r1s1"]
    contacts = contact_services.bulk_add_contacts(
        actor=world.acme.system,
        contacts=[
            Contact(home_unit=store, external_id=f"p{i}", attributes={"spend": i % 7})
            for i in range(80)
        ],
    )
    rng = np.random.default_rng(7)
    for contact in Contact.objects.filter(external_id__startswith="p"):
        friendly = int(rng.integers(1, 6))
        nps = int(min(10, max(0, round(2 * friendly + rng.normal(0, 1)))))
        respond(
            survey,
            store,
            nps=nps,
            csat=int(rng.integers(1, 6)),
            friendly=friendly,
            at=AT,
            contact=contact,
        )
    assert contacts is not None
    other = cx_survey(world.acme, name="Other")  # no answers: its own (empty) analysis
    ctx = selectors.context(world.acme.scope("store"), f())
    result = driver_reads.driver_analysis(ctx)
    by_survey = {s["survey_id"]: s for s in result["surveys"]}
    assert set(by_survey) == {survey.pk, other.pk} and by_survey[other.pk]["drivers"] == []
    mine = by_survey[survey.pk]
    assert result["n"] == mine["n"] == 80
    top = mine["drivers"][0]
    assert top["driver"] == "friendly" and top["rank_low"] == 1
    assert top["importance_low"] <= top["importance"] <= top["importance_high"]
    assert top["ahead_of_next"] is True
    names = {d["driver"] for d in mine["drivers"]}
    assert "csat" in names  # CSAT is a driver of its survey, not silently dropped
    assert "account_id" not in names
    assert mine["sample"] == {"responses": 80, "every": 1}


def test_above_the_limit_a_systematic_sample_is_used_and_stated(world, survey, monkeypatch):
    store = world.acme.units["c1r1s1"]
    for i in range(40):
        respond(survey, store, nps=i % 11, friendly=1 + i % 5, at=AT)
    monkeypatch.setattr(driver_reads, "SAMPLE_LIMIT", 15)
    ctx = selectors.context(world.acme.scope("store"), f(min_n="5"))
    one = driver_reads.driver_analysis(ctx)["surveys"][0]
    assert one["sample"] == {"responses": 40, "every": 3}
    assert 12 <= one["n"] <= 14


@pytest.mark.parametrize("reason", ["identifier"])
def test_identifier_attributes_are_listed_as_left_out(world, survey, reason):
    store = world.acme.units["c1r1s1"]
    for i in range(40):
        contact = Contact.objects.create(
            organization=world.acme.root.organization,
            home_unit=store,
            external_id=f"x{i}",
            attributes={"member_no": 1000 + i, "visits": i % 4},
        )
        respond(survey, store, nps=i % 11, friendly=1 + i % 5, at=AT, contact=contact)
    ctx = selectors.context(world.acme.scope("store"), f(min_n="5"))
    one = driver_reads.driver_analysis(ctx)["surveys"][0]
    left = {x["driver"]: x["reason"] for x in one["left_out"]}
    assert left.get("member_no") == reason
    assert "visits" in {d["driver"] for d in one["drivers"]}


def test_the_page_reads_answers_as_text_with_the_same_analysis(world):
    """The drivers page reads its answers as text and its attributes as numbers (no JSON
    decoding per value): the model gets the same numbers as from the decoded answers and
    snapshots, yes/no, missing, text and boolean attributes and identifiers included."""
    actor, store = world.acme.scope("admin"), world.acme.units["c1r1s1"]
    survey = survey_services.create_survey(
        actor=actor, unit=world.acme.root, name="Text", kind="transactional", default_locale="en"
    )
    for key, kind, config in (
        ("nps", "nps", {}),
        ("friendly", "rating", {"scale": 5}),
        ("fixed", "yes_no", {}),
        ("csat", "csat", {}),
    ):
        survey_services.add_question(
            actor=actor, survey=survey, key=key, type=kind, texts=T, config=config
        )
    survey_services.publish(actor=actor, survey=survey)
    rng = np.random.default_rng(3)
    for i in range(60):
        attributes = {"spend": i % 7, "member_no": 1000 + i, "tier": "gold", "vip": i % 2 == 0}
        contact = Contact.objects.create(
            organization=world.acme.root.organization,
            home_unit=store,
            external_id=f"t{i}",
            attributes=attributes,
        )
        friendly = int(rng.integers(1, 6))
        fixed = bool(rng.integers(0, 2))
        nps = int(min(10, max(0, 2 * friendly + 2 * fixed - 1 + int(rng.integers(-1, 2)))))
        respond(
            survey,
            store,
            nps=nps,
            csat=None if i % 9 == 0 else int(rng.integers(1, 6)),
            friendly=friendly,
            fixed=fixed,
            at=AT,
            contact=contact,
        )
    ctx = selectors.context(world.acme.scope("store"), f(min_n="5"))
    keys = driver_reads._keys_read(survey_selectors.questions_of(survey))
    as_text = driver_reads._survey_rows(ctx, survey, keys, driver_reads.PAGE_SAMPLE_LIMIT)
    decoded = driver_reads._survey_rows(ctx, survey, None, driver_reads.PAGE_SAMPLE_LIMIT)
    got = driver_reads._one_survey(ctx, survey, as_text)
    expected = driver_reads._one_survey(ctx, survey, decoded)
    assert got["n"] == expected["n"] > 40
    assert {d["driver"] for d in got["drivers"]} == {"friendly", "fixed", "csat", "spend"}
    assert {"driver": "member_no", "reason": "identifier"} in got["left_out"]
    assert got["left_out"] == expected["left_out"]
    for mine, theirs in zip(got["drivers"], expected["drivers"], strict=True):
        assert mine["driver"] == theirs["driver"]
        assert mine["importance"] == pytest.approx(theirs["importance"])
