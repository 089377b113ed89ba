"""The writes that forget: a person's answers on erasure, and answers whose time is up.

Scores and choices stay with the response wherever the rules allow, so every figure made of
them stays. What somebody wrote (free text, "other" texts), the link to the contact and the
snapshot of their attributes are what identify them, and go.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from voxloop.responses import selectors
from voxloop.responses.models import Response
from voxloop.responses.signals import responses_changed, responses_expiring
from voxloop.surveys.selectors import free_text_keys, text_question_keys


def _without_text(
    answers: dict[str, Any], text_keys: list[str], comment_keys: list[str]
) -> tuple[dict[str, Any], bool, bool]:
    """(answers without free text, whether a comment was among it, whether anything went)."""
    kept = {k: v for k, v in answers.items() if not (k in text_keys and isinstance(v, str))}
    comment = any(isinstance(answers.get(k), str) and answers[k].strip() for k in comment_keys)
    return kept, comment, len(kept) != len(answers)


def _strip(
    response: Response, text_keys: list[str], comment_keys: list[str], now: datetime
) -> bool:
    answers, had_comment, removed = _without_text(response.answers, text_keys, comment_keys)
    response.answers = answers
    if had_comment:
        response.comment_removed_at = now
    return removed


def _announce_changed(organization_id: int, ids: list[int]) -> None:
    if ids:
        transaction.on_commit(
            lambda: responses_changed.send(
                Response, organization_id=organization_id, response_ids=ids
            )
        )


def erase_person(*, organization_id: int, response_ids: list[int], now: datetime) -> dict:
    """The person's responses keep their scores, choices, unit and time, and lose the contact,
    the attribute snapshot and everything they wrote (comments, "other" texts): a comment can
    name its author in ways no pattern finds. The comment still counts in the dashboards."""
    responses = list(Response.objects.filter(organization_id=organization_id, pk__in=response_ids))
    survey_ids = {r.survey_id for r in responses}
    text_keys, comment_keys = free_text_keys(survey_ids), text_question_keys(survey_ids)
    texts = 0
    for response in responses:
        texts += _strip(
            response,
            text_keys.get(response.survey_id, []),
            comment_keys.get(response.survey_id, []),
            now,
        )
        response.contact, response.contact_snapshot = None, {}
        response.save(
            update_fields=[
                "answers",
                "comment_removed_at",
                "contact",
                "contact_snapshot",
                "updated_at",
            ]
        )
    _announce_changed(organization_id, [r.pk for r in responses])
    return {"responses": len(responses), "response_texts": texts}


def expire_responses(
    *, organization_id: int, before: datetime, keep: QuerySet[Any, int] | None, limit: int
) -> int:
    """Delete up to `limit` responses older than `before` (not those in `keep`, an id
    subquery: answers an open case still needs). Analytics hears `responses_expiring` first
    and keeps their counts; cases, notifications and praise built on them go with them."""
    ids = list(selectors.expired_ids(organization_id, before, keep)[:limit])
    if not ids:
        return 0
    with transaction.atomic():
        responses_expiring.send(Response, organization_id=organization_id, response_ids=ids)
        Response.objects.filter(pk__in=ids).delete()
    return len(ids)


def remove_old_texts(*, organization_id: int, before: datetime, limit: int, now: datetime) -> int:
    """Remove the free text of up to `limit` responses written before `before`; their scores
    and choices stay, and so does every count the dashboards show."""
    done = 0
    for survey_id, keys in selectors.surveys_with_text(organization_id).items():
        if done >= limit:
            break
        comment_keys = text_question_keys([survey_id]).get(survey_id, [])
        with transaction.atomic():
            batch = list(
                selectors.with_text_before(survey_id, keys, before)
                .select_for_update()
                .order_by("pk")[: limit - done]
            )
            for response in batch:
                _strip(response, keys, comment_keys, now)
                response.save(update_fields=["answers", "comment_removed_at", "updated_at"])
            _announce_changed(organization_id, [r.pk for r in batch])
        done += len(batch)
    return done
