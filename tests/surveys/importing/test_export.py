"""Export → import gives the same survey; the SurveyJS export reads back with the same
questions and logic."""

from __future__ import annotations

import json

from tests.surveys.builders import store_visit_survey
from voxloop.surveys import services


def _rich_survey(world):
    survey = store_visit_survey(world.acme, publish=False)
    actor = world.acme.scope("admin")
    services.add_question(
        actor=actor,
        survey=survey,
        key="topics",
        type="multiple_choice",
        texts={"title": {"en": "What mattered?", "zh-hans": "什么重要？"}},
        config={
            "choices": [
                {"key": "price", "label": {"en": "Price", "zh-hans": "价格"}},
                {"key": "staff", "label": {"en": "Staff"}},
            ],
            "allow_other": True,
        },
        show_if={"all": [{"question": "nps", "op": "gte", "value": 7}]},
    )
    services.add_question(
        actor=actor,
        survey=survey,
        key="grid",
        type="matrix",
        texts={"title": {"en": "Rate"}, "low": {"en": "Bad"}, "high": {"en": "Good"}},
        config={"rows": [{"key": "speed", "label": {"en": "Speed"}}], "scale": 4},
    )
    services.update_survey(
        actor=actor,
        survey=survey,
        thank_you_branches=[
            {
                "when": {"all": [{"question": "nps", "op": "gte", "value": 9}]},
                "text": {"en": "Thanks, fan!"},
                "link": "https://example.test/review",
            }
        ],
    )
    return survey, actor


def _comparable(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "name"}


def test_voxloop_json_round_trip_gives_the_same_survey(world):
    survey, actor = _rich_survey(world)
    exported = services.export_survey(actor=actor, survey=survey)
    content = json.dumps(exported).encode()
    imported = services.import_survey(
        actor=actor, unit=world.acme.root, filename="export.json", content=content, kind=survey.kind
    )
    assert imported.draft.report.entries == []
    again = services.export_survey(actor=actor, survey=imported.survey)
    assert again == exported
    assert imported.survey.pk != survey.pk and imported.survey.status == "draft"


def test_surveyjs_export_reads_back(world):
    survey, actor = _rich_survey(world)
    exported = services.export_survey(actor=actor, survey=survey, format="surveyjs")
    assert exported["pages"][0]["elements"][0]["type"] == "rating"
    imported = services.import_survey(
        actor=actor, unit=world.acme.root, filename="s.json", content=json.dumps(exported).encode()
    )
    original = [q.key for q in survey.questions.order_by("position")]
    back = {q.key: q for q in imported.survey.questions.all()}
    assert sorted(back) == sorted(original)
    assert back["nps"].type == "nps"
    assert back["topics"].show_if == {"all": [{"question": "nps", "op": "gte", "value": 7}]}
    assert back["topics"].config["allow_other"] is True
    assert back["topics"].texts["title"]["zh-hans"] == "什么重要？"
    assert back["grid"].type == "matrix" and back["grid"].config["scale"] == 4
