import pytest

from tests.surveys.builders import store_visit_survey
from voxloop.errors import Conflict, Forbidden, InvalidInput
from voxloop.surveys import definition, selectors, services
from voxloop.surveys.models import SurveyStatus


class Q:
    def __init__(self, key, type, config=None, show_if=None, required=False):
        self.key, self.type, self.config = key, type, config or {}
        self.show_if, self.required = show_if or {}, required


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [("nps", 0, 0), ("nps", "10", 10), ("csat", 5, 5), ("ces", "7", 7), ("rating", 3, 3)],
)
def test_scales_accept_their_range(kind, raw, expected):
    assert definition.clean_answer(Q("q", kind), raw) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("nps", 11),
        ("nps", -1),
        ("nps", "ten"),
        ("nps", True),
        ("nps", 7.5),
        ("csat", 0),
        ("ces", 8),
        ("rating", 6),
        ("nps", None),
        ("nps", "1e3"),
    ],
)
def test_scales_refuse_out_of_range_or_non_numbers(kind, raw):
    with pytest.raises(definition.AnswerError) as error:
        definition.clean_answer(Q("q", kind), raw)
    assert error.value.field == "q"


def test_choices_and_other():
    question = Q(
        "why", "multiple_choice", {"choices": [{"key": "a"}, {"key": "b"}], "allow_other": True}
    )
    assert definition.clean_answer(question, ["a", "other", "a"]) == ["a", "other"]
    with pytest.raises(definition.AnswerError):
        definition.clean_answer(question, ["zzz"])
    single = Q("one", "single_choice", {"choices": [{"key": "a"}]})
    with pytest.raises(definition.AnswerError):
        definition.clean_answer(single, "other")


def test_text_is_capped_kept_verbatim_and_refuses_nul():
    html = "<script>alert('x')</script> 很好"
    assert definition.clean_answer(Q("c", "long_text"), html) == html
    with pytest.raises(definition.AnswerError) as error:
        definition.clean_answer(Q("c", "long_text"), "x" * 10_001)
    assert "10,000" in error.value.message
    with pytest.raises(definition.AnswerError):
        definition.clean_answer(Q("c", "short_text"), "a\x00b")


def test_matrix_rows_and_scale():
    question = Q("m", "matrix", {"rows": [{"key": "speed"}, {"key": "price"}], "scale": 5})
    assert definition.clean_answer(question, {"speed": "4"}) == {"speed": 4}
    with pytest.raises(definition.AnswerError) as error:
        definition.clean_answer(question, {"colour": 3})
    assert error.value.field == "m.colour"


def test_display_logic_branches_on_earlier_answers():
    why = Q("why", "long_text", show_if={"all": [{"question": "nps", "op": "lte", "value": 6}]})
    questions = [Q("nps", "nps"), why]
    assert why in definition.shown_questions(questions, {"nps": 3})
    assert why not in definition.shown_questions(questions, {"nps": 9})
    assert why not in definition.shown_questions(questions, {})


def test_locale_choice_and_piping():
    class S:
        default_locale, locales = "en", ["en", "zh-hans", "ro"]

    assert definition.pick_locale(S, ["zh-CN", "en"]) == "zh-hans"
    assert definition.pick_locale(S, ["ro-RO"]) == "ro"
    assert definition.pick_locale(S, ["ja"]) == "en"
    text = definition.piped("Hi {{ first_name }}, how was {{unit}}?", {"first_name": "Ana"})
    assert text == "Hi Ana, how was?"


def test_survey_builder_rules(world):
    survey = store_visit_survey(world.acme, publish=False)
    actor = world.acme.scope("admin")
    with pytest.raises(Conflict):
        services.add_question(actor=actor, survey=survey, key="nps", type="nps", texts={})
    with pytest.raises(InvalidInput) as error:
        services.add_question(
            actor=actor,
            survey=survey,
            key="x",
            type="nps",
            texts={},
            show_if={"all": [{"question": "later", "op": "eq", "value": 1}]},
        )
    assert error.value.field == "show_if.0.question"
    with pytest.raises(Conflict):  # 'improve' depends on 'nps'
        services.remove_question(actor=actor, question=survey.questions.get(key="nps"))
    with pytest.raises(InvalidInput):  # would put 'improve' before the question it looks at
        services.reorder_questions(
            actor=actor, survey=survey, keys=["improve", "nps", "csat", "comment"]
        )
    services.publish(actor=actor, survey=survey)
    assert survey.status == SurveyStatus.LIVE
    with pytest.raises(Conflict):
        services.update_question(actor=actor, question=survey.questions.get(key="csat"), type="ces")


def test_duplicate_copies_questions_with_a_new_link(world):
    survey = store_visit_survey(world.acme)
    copy = services.duplicate(actor=world.acme.scope("admin"), survey=survey)
    assert copy.status == SurveyStatus.DRAFT
    assert copy.public_slug != survey.public_slug
    assert [q.key for q in copy.questions.all()] == [q.key for q in survey.questions.all()]


def test_surveys_are_scoped(world):
    survey = store_visit_survey(world.acme)
    assert survey in selectors.visible_surveys(world.acme.scope("store"))
    assert survey not in selectors.visible_surveys(world.other.scope("admin"))
    with pytest.raises(Forbidden):
        services.close(actor=world.acme.scope("store"), survey=survey)
    with pytest.raises(Forbidden):
        services.close(actor=world.other.scope("admin"), survey=survey)


def test_personal_links_are_signed_and_expire():
    from django.core import signing

    from voxloop.surveys import links

    token = links.personal_token(7, "abc", contact_id=3, locale="ja")
    link = links.read_personal_token(token)
    assert (link.survey_id, link.invitation, link.contact_id, link.locale) == (7, "abc", 3, "ja")
    assert links.invitation_source_key(link) == "inv:abc"
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(links.LinkInvalid):
        links.read_personal_token(tampered)
    old = signing.dumps({"s": 1, "i": "x"}, salt=links.SALT)
    with pytest.raises(links.LinkExpired):
        links.read_personal_token(old, max_age_days=-1)


@pytest.mark.parametrize(
    ("op", "value", "picked", "holds"),
    [
        ("in", ["queue", "staff"], ["queue"], True),
        ("in", ["queue", "staff"], ["price", "staff"], True),
        ("in", ["queue", "staff"], ["price"], False),
        ("not_in", ["queue"], ["price"], True),
        ("not_in", ["queue"], ["price", "queue"], False),
        ("eq", "queue", ["queue"], True),
        ("neq", "queue", ["queue", "price"], False),
        ("neq", "queue", ["price"], True),
        ("contains", "queue", ["price", "queue"], True),
    ],
)
def test_logic_on_a_multiple_choice_answer_looks_at_each_pick(op, value, picked, holds):
    # The builder offers "is one of" / "is none of" / "is" for every question type.
    rule = {"all": [{"question": "improve", "op": op, "value": value}]}
    assert definition.rule_holds(rule, {"improve": picked}) is holds


@pytest.mark.parametrize(
    ("condition", "field", "stored"),
    [
        ({"question": "nps", "op": "lte", "value": "6"}, None, 6),
        ({"question": "nps", "op": "in", "value": ["0", 1]}, None, [0, 1]),
        ({"question": "nps", "op": "lte", "value": "six"}, "show_if.0.value", None),
        ({"question": "nps", "op": "eq", "value": 11}, "show_if.0.value", None),
        ({"question": "improve", "op": "in", "value": ["queue", "qeueu"]}, "show_if.0.value", None),
        ({"question": "improve", "op": "gt", "value": "queue"}, "show_if.0.op", None),
        ({"question": "improve", "op": "contains", "value": "staff"}, None, "staff"),
        ({"question": "nps", "op": "in", "value": 6}, "show_if.0.value", None),
    ],
)
def test_logic_values_are_stored_as_the_answers_they_compare_with(world, condition, field, stored):
    # "6" for an NPS score was kept as text, so "at most 6" never held and the detractor
    # question never showed; a misspelt choice key the same.
    survey = store_visit_survey(world.acme, publish=False)
    actor = world.acme.scope("admin")
    rule = {"all": [condition]}
    if field is None:
        question = services.add_question(
            actor=actor, survey=survey, key="x", type="long_text", texts={}, show_if=rule
        )
        assert question.show_if["all"][0]["value"] == stored
        return
    with pytest.raises(InvalidInput) as error:
        services.add_question(
            actor=actor, survey=survey, key="x", type="long_text", texts={}, show_if=rule
        )
    assert error.value.field == field


def test_thank_you_rule_on_yes_no_is_stored_as_true_or_false(world):
    survey = store_visit_survey(world.acme, publish=False)
    actor = world.acme.scope("admin")
    services.add_question(
        actor=actor, survey=survey, key="back", type="yes_no", texts={"title": {"en": "Back?"}}
    )
    services.update_survey(
        actor=actor,
        survey=survey,
        thank_you_branches=[
            {"when": {"all": [{"question": "back", "op": "eq", "value": "yes"}]}, "text": {}}
        ],
    )
    assert survey.thank_you_branches[0]["when"]["all"][0]["value"] is True
    assert definition.rule_holds(survey.thank_you_branches[0]["when"], {"back": True})


def test_a_live_question_keeps_what_stored_answers_mean(world):
    survey = store_visit_survey(world.acme)
    actor = world.acme.scope("admin")
    improve = survey.questions.get(key="improve")
    choices = improve.config["choices"]
    relabelled = [{**choices[0], "label": {"en": "Waiting"}}, choices[1]]
    more = [*relabelled, {"key": "price", "label": {"en": "Price"}}]
    services.update_question(
        actor=actor, question=improve, config={**improve.config, "choices": more}
    )
    for change, field in (
        ({"choices": more[1:]}, "config.choices"),
        ({"choices": more, "allow_other": False}, "config.choices"),
    ):
        with pytest.raises(Conflict) as refused:
            services.update_question(
                actor=actor, question=improve, config={**improve.config, **change}
            )
        assert refused.value.field in (field, "config.allow_other")
    rating = services.add_question(
        actor=actor, survey=survey, key="stars", type="rating", texts={}, config={"scale": 10}
    )
    with pytest.raises(Conflict) as refused:
        services.update_question(actor=actor, question=rating, config={"scale": 5})
    assert refused.value.field == "config.scale"
    # A draft is still free to change.
    draft = services.duplicate(actor=actor, survey=survey)
    copy = draft.questions.get(key="improve")
    services.update_question(
        actor=actor, question=copy, config={**copy.config, "choices": choices[1:]}
    )


def test_a_question_added_at_a_position_goes_there(world):
    survey = store_visit_survey(world.acme, publish=False)
    actor = world.acme.scope("admin")
    services.add_question(
        actor=actor, survey=survey, key="first", type="short_text", texts={}, position=1
    )
    services.add_question(
        actor=actor, survey=survey, key="third", type="short_text", texts={}, position=3
    )
    services.add_question(
        actor=actor, survey=survey, key="last", type="short_text", texts={}, position=99
    )
    keys = [q.key for q in selectors.questions_of(survey)]
    assert keys == ["first", "nps", "third", "improve", "csat", "comment", "last"]
    assert [q.position for q in selectors.questions_of(survey)] == list(range(1, 8))
    # Logic still looks only backwards from where the question lands.
    with pytest.raises(InvalidInput):
        services.add_question(
            actor=actor,
            survey=survey,
            key="early",
            type="short_text",
            texts={},
            position=2,
            show_if={"all": [{"question": "nps", "op": "answered"}]},
        )
