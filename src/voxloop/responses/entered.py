"""Who typed an answer in: the respondent, a registered kiosk, or a person of the organisation
posting through the API (entered by staff: their membership and token are kept, and audited).
An anonymous survey keeps only whether staff entered an answer, never who: the person may be
the employee answering, and it keeps no contact or staff member either."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from voxloop.responses.models import Origin, Response
from voxloop.tenancy.services import record_audit

if TYPE_CHECKING:
    from voxloop.responses.services import Submission


def fields(submission: Submission) -> dict[str, Any]:
    """Who typed it in. An anonymous survey keeps whether staff entered it, never who (the
    person may be the employee answering), as it keeps no contact or staff member."""
    origin = Origin.STAFF if submission.entered_by is not None else submission.origin
    if submission.survey.is_anonymous:
        return {"origin": origin}
    return {
        "origin": origin,
        "entered_by_id": getattr(submission.entered_by, "membership_id", None),
        "entered_token_id": submission.entered_token_id,
        "kiosk_id": submission.kiosk_id,
    }


def audit(submission: Submission, response: Response) -> None:
    """A person storing or changing a response through the API: who, with which token, what
    they claimed (the respondent pages and kiosks are not people of the organisation). For an
    anonymous survey only that they entered one: naming the response would name its author."""
    if submission.entered_by is None:
        return
    unit, staff, survey = submission.unit, submission.staff, submission.survey
    changes = {"survey": survey.pk, "channel": response.channel}
    if survey.is_anonymous:
        record_audit(
            actor=submission.entered_by, action="response.enter", target=survey, changes=changes
        )
        return
    changes.update(unit=unit and unit.code, staff=staff and staff.code, nps=response.nps)
    changes.update(token=submission.entered_token_id, complete=response.is_complete)
    record_audit(
        actor=submission.entered_by, action="response.enter", target=response, changes=changes
    )
