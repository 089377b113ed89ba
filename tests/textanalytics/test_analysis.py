"""Comments analysed in the background and stored with the response: on submission, by
backfill (idempotent, resumable, recomputing what a model or taxonomy change made stale),
read through the responses API, and gone when the response is erased."""

from __future__ import annotations

import pytest

from tests.closedloop.support import submit
from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from voxloop.textanalytics import analysis, selectors, services
from voxloop.textanalytics.models import CommentAnalysis, CommentTheme

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
COMMENTS = [
    ("c1r1s1", "The staff were lovely, but the queue was awful."),
    ("c1r1s2", "店员很热情，结账也很快。"),
    ("c2r1s1", "レジで20分も待たされました。"),
    ("c2r2s1", "Livrarea a întârziat o săptămână."),
]


@pytest.fixture
def shop(world):
    acme = world.acme
    services.install_default_taxonomy(scope=acme.system, kind="retail")
    survey = store_visit_survey(acme)
    return acme, survey


def _submit_all(acme, survey):
    return [
        submit(survey, {"nps": 7, "comment": text}, unit=acme.units[unit])
        for unit, text in COMMENTS
    ]


def test_a_submitted_comment_is_analysed_in_the_background(
    shop, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = IMMEDIATE
    settings.TEXT_ANALYSE_DELAY_SECONDS = 0
    acme, survey = shop
    with django_capture_on_commit_callbacks(execute=True):
        response = submit(
            survey,
            {"nps": 3, "improve": ["queue"], "comment": "Great staff but the queue was awful"},
            unit=acme.units["c1r1s1"],
        )  # fmt: skip
    stored = CommentAnalysis.objects.get(response=response)
    assert (stored.question_key, stored.language, stored.mixed) == ("comment", "en", True)
    assert [s["sentiment"] for s in stored.sentences] == ["positive", "negative"]
    themes = {t.theme.key: t.sentiment for t in CommentTheme.objects.filter(analysis=stored)}
    assert themes["staff"] == "positive" and themes["queue"] == "negative"


def test_responses_without_a_comment_queue_nothing(
    shop, settings, django_capture_on_commit_callbacks
):
    settings.TEXT_ANALYSE_DELAY_SECONDS = 0
    acme, survey = shop
    from django_tasks_db.models import DBTaskResult

    before = DBTaskResult.objects.filter(task_path__contains="textanalytics").count()
    with django_capture_on_commit_callbacks(execute=True):
        submit(survey, {"nps": 9}, unit=acme.units["c1r1s1"])
    assert DBTaskResult.objects.filter(task_path__contains="textanalytics").count() == before


def test_backfill_is_idempotent_and_recomputes_what_is_stale(shop, monkeypatch):
    acme, survey = shop
    _submit_all(acme, survey)
    org = acme.root.organization_id
    assert analysis.backfill(organization_id=org) == (4, 4)
    assert analysis.backfill(organization_id=org) == (4, 0)  # nothing stale: nothing done
    taxonomy = selectors.taxonomies_of(org)[0]
    queue = taxonomy.themes.get(key="queue")
    services.add_term(scope=acme.system, theme=queue, language="en", kind="keyword", text="far")
    taxonomy.refresh_from_db()
    assert analysis.backfill(organization_id=org) == (4, 4)  # the taxonomy changed
    assert CommentAnalysis.objects.filter(taxonomy_version=taxonomy.version).count() == 4
    engine = analysis.analyzer_for(organization_id=org)
    monkeypatch.setattr(type(engine), "version", property(lambda self: "fast-next"))
    assert analysis.backfill(organization_id=org) == (4, 4)  # the model changed
    assert set(CommentAnalysis.objects.values_list("model_version", flat=True)) == {"fast-next"}


def test_an_interrupted_backfill_carries_on_where_it_stopped(shop, monkeypatch):
    acme, survey = shop
    _submit_all(acme, survey)
    org = acme.root.organization_id
    monkeypatch.setattr(analysis, "CHUNK", 2)

    def stop(seen, total, analysed):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        analysis.backfill(organization_id=org, progress=stop)
    assert CommentAnalysis.objects.count() == 2  # the first chunk was committed
    assert analysis.backfill(organization_id=org) == (4, 2)


def test_an_edited_comment_is_analysed_again(shop):
    acme, survey = shop
    [response, *_] = _submit_all(acme, survey)
    org = acme.root.organization_id
    analysis.backfill(organization_id=org)
    from voxloop.responses.models import Response

    Response.objects.filter(pk=response.pk).update(answers={"nps": 8, "comment": "Awful."})
    assert analysis.analyse_responses(response_ids=[response.pk]) == 1
    assert CommentAnalysis.objects.get(response=response).sentiment == "negative"


def test_each_subtree_uses_its_own_taxonomy(shop):
    acme, survey = shop
    services.install_default_taxonomy(scope=acme.system, kind="b2b", unit=acme.units["c2"])
    response = submit(
        survey,
        {"nps": 5, "improve": ["staff"], "comment": "We were invoiced twice"},
        unit=acme.units["c2r1s1"],
    )
    analysis.analyse_responses(response_ids=[response.pk])
    stored = CommentAnalysis.objects.get(response=response)
    assert stored.taxonomy.unit_id == acme.units["c2"].pk
    assert {t.theme.key for t in stored.themes.all()} == {"billing"}


def test_results_are_read_through_the_responses_api_in_scope(shop):
    acme, survey = shop
    responses = _submit_all(acme, survey)
    analysis.backfill(organization_id=acme.root.organization_id)
    store = as_member(acme, "store")
    [item] = store.get("/responses").json()["items"]
    assert item["id"] == responses[0].pk
    [found] = item["text"]
    assert found["question_key"] == "comment" and found["mixed"]
    assert {t["key"] for t in found["themes"]} >= {"staff", "queue"}
    one = store.get(f"/responses/{responses[0].pk}").json()
    assert one["text"][0]["sentiment"] == found["sentiment"]
    # Another unit's analysis is out of reach like its response.
    assert store.get(f"/responses/{responses[2].pk}").status_code == 404
    counts = as_member(acme, "regional").get("/text/breakdown").json()
    assert sum(counts["sentiment"].values()) == 2  # the region's two stores


def test_erasing_a_response_erases_what_was_read_in_it(shop):
    acme, survey = shop
    [response, *_] = _submit_all(acme, survey)
    analysis.backfill(organization_id=acme.root.organization_id)
    response.delete()
    assert not CommentAnalysis.objects.filter(response_id=response.pk).exists()
    assert CommentAnalysis.objects.count() == 3


def test_personal_data_never_reaches_the_stored_text(shop):
    acme, survey = shop
    response = submit(
        survey,
        {"nps": 2, "improve": ["staff"], "comment": "Call me on 07700 900123, jane@example.com"},
        unit=acme.units["c1r1s1"],
    )  # fmt: skip
    analysis.analyse_responses(response_ids=[response.pk])
    stored = CommentAnalysis.objects.get(response=response)
    assert "900123" not in stored.text and "jane@" not in stored.text


def test_the_masker_comes_from_settings(shop, settings):
    settings.TEXT_PII_MASKER = "tests.textanalytics.test_analysis.mask_names"
    analysis._analyzer.cache_clear()
    try:
        acme, survey = shop
        response = submit(
            survey, {"nps": 9, "comment": "Anna was great"}, unit=acme.units["c1r1s1"]
        )
        analysis.analyse_responses(response_ids=[response.pk])
        assert CommentAnalysis.objects.get(response=response).text == "[name] was great"
    finally:
        analysis._analyzer.cache_clear()


def mask_names(text: str, language: str = "") -> str:
    return text.replace("Anna", "[name]")
