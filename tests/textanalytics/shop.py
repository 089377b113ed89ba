"""A shop with analysed comments for the product tests: the retail taxonomy at Acme's root,
comments in four languages at two stores in different regions, and at Other (another
tenant), analysed as the background would (embeddings computed only where a test asks)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.closedloop.support import submit
from tests.surveys.builders import store_visit_survey
from voxloop.textanalytics import analysis, embeddings, services
from voxloop.textanalytics.models import CommentAnalysis

# (store, nps, comment): store c1r1s1 is in the store manager's scope, c2r1s1 is not.
COMMENTS = [
    ("c1r1s1", 2, "The cashier was rude and ignored me."),
    ("c1r1s1", 3, "Rude staff at the till, very unfriendly."),
    ("c1r1s1", 9, "Lovely staff, so helpful."),
    ("c1r1s1", 4, "店员态度很差，很不耐烦。"),
    ("c1r1s1", 10, "スタッフがとても親切でした。"),
    ("c1r1s1", 5, "Personalul a fost nepoliticos."),
    ("c1r1s1", 6, "The car park was full and I drove around for ages."),
    ("c1r1s1", 5, "停车场满了，找车位找了半天。"),
    ("c1r1s1", 6, "駐車場が満車で、かなり待ちました。"),
    ("c1r1s1", 5, "Parcarea era plină, am căutat un loc mult timp."),
    ("c2r1s1", 1, "SECRET-C2 the queue at the till took forty minutes."),
]
OTHER = "OTHER-TENANT the staff were rude."


def answers(nps: int, text: str) -> dict:
    out = {"nps": nps, "comment": text}
    if nps <= 6:
        out["improve"] = ["queue"]  # the survey asks detractors what to improve
    return out


@dataclass
class Shop:
    acme: object
    other: object
    survey: object
    responses: list


def build(world, embed: bool = False) -> Shop:
    acme, other = world.acme, world.other
    services.install_default_taxonomy(scope=acme.system, kind="retail")
    services.install_default_taxonomy(scope=other.system, kind="retail")
    survey = store_visit_survey(acme)
    responses = [
        submit(survey, answers(nps, text), unit=acme.units[unit]) for unit, nps, text in COMMENTS
    ]
    other_survey = store_visit_survey(other)
    submit(other_survey, answers(1, OTHER), unit=other.units["c1r1s1"])
    for org in (acme, other):
        analysis.backfill(organization_id=org.root.organization_id)
    if embed:
        embeddings.embed_analyses(list(CommentAnalysis.objects.values_list("pk", flat=True)))
    return Shop(acme, other, survey, responses)
