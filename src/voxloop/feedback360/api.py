"""360 feedback over the API, for HR (admins of the subtree): cycles, completion per
subject and group (counts), and a subject's report once it may be read. The same selectors
as the pages; raters answer on the pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest
from ninja import Router

from voxloop.api.context import actor
from voxloop.api.schemas import Id
from voxloop.feedback360 import selectors
from voxloop.feedback360.schemas import CycleOut, ReportOut, SubjectCompletion

router = Router(tags=["feedback360"])


@router.get("/feedback360/cycles", response=list[CycleOut], url_name="f360_cycles")
def list_cycles(request: HttpRequest) -> list[dict]:
    """360 cycles of your subtree (admins)."""
    rows = selectors.visible_cycles(actor(request)).annotate(n=Count("subjects"))
    return [
        {
            "id": c.pk,
            "name": c.name,
            "unit_id": c.unit_id,
            "deadline": c.deadline,
            "is_open": c.is_open,
            "subjects": c.n,
        }
        for c in rows
    ]


@router.get(
    "/feedback360/cycles/{int:cycle_id}/completion",
    response=list[SubjectCompletion],
    url_name="f360_completion",
)
def completion(request: HttpRequest, cycle_id: Id) -> list[dict]:
    """Invited and answered per subject and rater group: counts, never who."""
    found = selectors.cycle(actor(request), cycle_id)
    return [
        {
            "subject_id": row["subject"].pk,
            "name": row["subject"].name,
            "released": row["subject"].released,
            "groups": row["groups"],
        }
        for row in selectors.completion(found)
    ]


@router.get(
    "/feedback360/subjects/{int:subject_id}/report", response=ReportOut, url_name="f360_report"
)
def report(request: HttpRequest, subject_id: Id) -> dict:
    """A subject's report: `available` is false until the cycle closes or HR releases it.
    Groups under their floor are combined or left out (decision 0043)."""
    found = selectors.subject(actor(request), subject_id)
    made = selectors.report(found)
    out = {"subject_id": found.pk, "name": found.name, "available": made is not None}
    if made is None:
        return out | {"groups": [], "rows": [], "comments": []}
    rows = [
        {
            "competency": row["text"],
            "cells": [{"group": key} | row["cells"][key] for key in made.columns],
        }
        for row in made.rows
    ]
    comments = [{"group": k, "comments": v} for k, v in made.comments.items()]
    return out | {"groups": made.columns, "rows": rows, "comments": comments}
