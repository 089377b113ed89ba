"""Response capture: the one service behind every entry point (web page, API, kiosk, import).

It validates answers against the survey, keeps partial responses, computes the headline scores,
snapshots the contact, and stores each source (invitation or Idempotency-Key) exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from voxloop import rows
from voxloop.errors import Conflict, InvalidInput, NotFound
from voxloop.privacy.redaction import mask_answers
from voxloop.privacy.selectors import masks_at_capture
from voxloop.responses import anonymity, commit_group, entered
from voxloop.responses.models import Channel, Device, Origin, Response
from voxloop.responses.scoring import headline_scores
from voxloop.responses.signals import response_started, response_submitted, responses_imported
from voxloop.surveys import definition
from voxloop.surveys.models import Survey, SurveyStatus
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import repath_copies, subtree_q
from voxloop.tenancy.scoping import Scope

CHANNELS, DEVICES = frozenset(Channel.values), frozenset(Device.values)


class SurveyClosed(Conflict):
    code = "survey_closed"


class AlreadyCompleted(Conflict):
    code = "already_completed"


@dataclass
class Submission:
    """What arrived, from whichever entry point, before validation."""

    survey: Survey
    answers: dict[str, Any]
    complete: bool = True
    channel: str = Channel.WEB
    device: str = Device.UNKNOWN
    locale: str = ""
    unit: Any = None
    staff: Any = None
    contact: Any = None
    source_key: str | None = None
    resume_token: str | None = None
    submitted_at: datetime | None = None
    allow_closed: bool = False  # historical imports only
    # The survey's questions when the caller already holds them (surveys.selectors
    # .survey_for_capture); read from the database otherwise.
    questions: list | None = None
    extra: dict = field(default_factory=dict)
    # What the entry point knows of the respondent at this moment (a web widget's page
    # passes the signed-in customer's plan, cart…): snapshotted over the contact's own.
    attributes: dict | None = None
    # Who typed it in. A person posting through the API (their scope, and their token unless
    # it was a browser session): entered by staff, and audited. A registered kiosk: its id.
    origin: str = Origin.RESPONDENT
    entered_by: Scope | None = None
    entered_token_id: int | None = None
    kiosk_id: int | None = None
    # Who a personal link to an anonymous survey stands for (responses.anonymity.person_of):
    # never stored; the response's source key is a one-way key of it and the month.
    respondent: str | None = None


@dataclass(frozen=True)
class Outcome:
    response: Response
    created: bool


def _questions(survey: Survey) -> list:
    return list(survey.questions.all())


def clean_answers(*, survey: Survey, questions: list, answers: dict, complete: bool) -> dict:
    """Validated answers, hidden questions dropped; required ones checked when complete."""
    if not isinstance(answers, dict):
        raise InvalidInput("Answers must be an object of question key → answer.", "answers")
    by_key = {q.key: q for q in questions}
    cleaned: dict[str, Any] = {}
    for key, raw in answers.items():
        base, _, suffix = str(key).partition(":")
        question = by_key.get(base)
        if question is None or (suffix and suffix != definition.OTHER):
            raise InvalidInput(f"'{key}' is not a question of this survey.", field=str(key))
        if suffix:
            if not question.config.get("allow_other"):
                raise InvalidInput(f"'{base}' has no 'other' answer.", field=str(key))
            text = definition.clean_answer(_as_text_question(question), raw)
            if text:
                cleaned[key] = text
        elif not definition.is_empty(raw):
            cleaned[key] = definition.clean_answer(question, raw)
    shown = definition.shown_questions(questions, cleaned)
    shown_keys = {q.key for q in shown}
    cleaned = {k: v for k, v in cleaned.items() if k.partition(":")[0] in shown_keys}
    # An "other" text belongs to an answer that is "other": changing the answer drops it.
    cleaned = {k: v for k, v in cleaned.items() if ":" not in k or _picked_other(cleaned, k)}
    if complete:
        for question in shown:
            if question.required and _unanswered(question, cleaned.get(question.key)):
                raise InvalidInput(f"'{question.key}' needs an answer.", field=question.key)
    return cleaned


def _unanswered(question, value: Any) -> bool:
    """A required matrix needs a rating in every row, as its page asks."""
    if question.type == "matrix" and isinstance(value, dict):
        return len(value) < len(definition.row_keys(question))
    return definition.is_empty(value)


def _picked_other(cleaned: dict, other_key: str) -> bool:
    answer = cleaned.get(other_key.partition(":")[0])
    picked = answer if isinstance(answer, list) else [answer]
    return definition.OTHER in picked


def _as_text_question(question):
    return type(
        "OtherText", (), {"key": f"{question.key}:other", "type": "short_text", "config": {}}
    )()


def _check_context(submission: Submission) -> None:
    survey = submission.survey
    if survey.status != SurveyStatus.LIVE and not submission.allow_closed:
        raise SurveyClosed("This survey is not open for responses.", field="survey")
    org_id = survey.organization_id
    unit, staff, contact = submission.unit, submission.staff, submission.contact
    for name, obj in (("unit", unit), ("staff", staff), ("contact", contact)):
        if obj is not None and obj.organization_id != org_id:
            raise NotFound(f"No such {name}.", field=name)
    if unit is not None and not unit.path.startswith(survey.unit_path):
        raise InvalidInput("This unit does not take part in the survey.", field="unit")
    if staff is not None and not staff.unit.path.startswith(survey.unit_path):
        # Without a unit the response would be placed at the staff member's.
        raise InvalidInput("This staff member does not take part in the survey.", field="staff")
    if submission.channel not in CHANNELS:
        raise InvalidInput(f"Unknown channel '{submission.channel}'.", field="channel")
    if submission.device not in DEVICES:
        raise InvalidInput(f"Unknown device '{submission.device}'.", field="device")


def _placement(submission: Submission) -> dict[str, Any]:
    """Where the response belongs: the given unit, else the staff's, else the contact's."""
    survey, staff, contact = submission.survey, submission.staff, submission.contact
    unit = submission.unit or (staff.unit if staff else None)
    if unit is None and contact is not None:
        unit = contact.home_unit
        if unit is not None and not unit.path.startswith(survey.unit_path):
            unit = None  # invited from elsewhere: the survey's own unit, where it is read
    snapshot: dict[str, Any] = {}
    if contact is not None:
        snapshot = {**contact.attributes, "locale": contact.locale}
        if contact.account_id:
            snapshot["account_id"] = contact.account_id
    if submission.attributes:
        snapshot = {**snapshot, **submission.attributes}
    if survey.is_anonymous:
        # Employee surveys keep no link to the person, only their unit.
        contact, staff, snapshot = None, None, {}
    return {
        "unit": unit,
        "unit_path": unit.path if unit else survey.unit_path,
        "staff": staff,
        "contact": contact,
        "contact_snapshot": snapshot,
    }


def submit(*, submission: Submission) -> Outcome:
    """Store (or continue) one response; idempotent per source key and per resume token."""
    if submission.respondent and submission.survey.is_anonymous:
        submission = replace(
            submission, source_key=_anonymous_key(submission, submission.submitted_at)
        )
    try:
        _check_context(submission)
    except SurveyClosed:
        # A retried request answers as the first time did, even once the survey has closed.
        replayed = _replayed(submission)
        if replayed is None:
            raise
        return Outcome(replayed, created=False)
    survey = submission.survey
    questions = submission.questions if submission.questions is not None else _questions(survey)
    keyed = submission.source_key or submission.resume_token or submission.entered_by
    if not (keyed or _in_transaction()):
        # A new response from nobody in particular: nothing to continue or collide with.
        answers = clean_answers(
            survey=survey,
            questions=questions,
            answers=submission.answers,
            complete=submission.complete,
        )
        response = _new_response(submission)
        completed = _apply(response, questions, answers, submission)
        commit_group.store(response)
        if completed:
            _announce(response)
        return Outcome(response, created=True)
    with transaction.atomic():
        existing = _existing(submission)
        if existing is not None:
            return Outcome(_continue(existing, submission, questions), created=False)
        answers = clean_answers(
            survey=survey,
            questions=questions,
            answers=submission.answers,
            complete=submission.complete,
        )
        response = _new_response(submission)
        if _apply(response, questions, answers, submission):
            transaction.on_commit(lambda: _announce(response))
        if not submission.source_key:
            rows.insert(response)  # nothing to collide with: no savepoint needed
            entered.audit(submission, response)
            return Outcome(response, created=True)
        try:
            with transaction.atomic():
                rows.insert(response)
        except IntegrityError:
            # A simultaneous submission of the same source won the race: continue that one.
            existing = _existing(submission)
            if existing is None:
                raise
            return Outcome(_continue(existing, submission, questions), created=False)
        entered.audit(submission, response)
        if not response.is_complete:
            transaction.on_commit(lambda: _announce_start(response))
    return Outcome(response, created=True)


def _replayed(submission: Submission) -> Response | None:
    key = submission.source_key
    if not key or not key.startswith("idem:"):
        return None
    return Response.objects.filter(
        organization_id=submission.survey.organization_id,
        source_key=key,
        survey=submission.survey,
        is_complete=True,
    ).first()


def _new_response(submission: Submission) -> Response:
    survey = submission.survey
    return Response(
        organization_id=survey.organization_id,
        survey=survey,
        source_key=submission.source_key,
        channel=submission.channel,
        device=submission.device,
        locale=submission.locale or survey.default_locale,
        started_at=submission.submitted_at or timezone.now(),
        **entered.fields(submission),
        **_placement(submission),
    )


def _existing(submission: Submission) -> Response | None:
    responses = Response.objects.select_for_update()
    if submission.resume_token:
        found = responses.filter(
            resume_token=submission.resume_token, survey=submission.survey
        ).first()
        if found is None:
            raise NotFound("This response link is not valid for this survey.", "resume_token")
        return found
    if submission.source_key:
        return responses.filter(
            organization_id=submission.survey.organization_id,
            source_key=submission.source_key,
        ).first()
    return None


def _continue(response: Response, submission: Submission, questions: list) -> Response:
    if response.survey_id != submission.survey.pk:
        raise InvalidInput("This link belongs to another survey.", field="survey")
    if response.is_complete:
        if submission.source_key and submission.source_key.startswith("idem:"):
            return response  # a retried request: answer as the first time
        raise AlreadyCompleted("This survey has already been answered.", field="survey")
    # Answers to questions deleted since they were given stay as they were: the survey no
    # longer validates them, and refusing them would leave this respondent unable to finish.
    known = {q.key for q in questions}
    earlier = dict(response.answers)
    retired = {k: v for k, v in earlier.items() if k.partition(":")[0] not in known}
    merged = {k: v for k, v in earlier.items() if k not in retired}
    merged.update(submission.answers or {})
    answers = clean_answers(
        survey=submission.survey, questions=questions, answers=merged, complete=submission.complete
    )
    answers = {**retired, **answers}
    if submission.locale:
        response.locale = submission.locale  # the respondent switched language on the way
    if _apply(response, questions, answers, submission):
        transaction.on_commit(lambda: _announce(response))
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        # Completed under this month's key, which another answer of the same person holds.
        raise AlreadyCompleted("This survey has already been answered.", field="survey") from None
    entered.audit(submission, response)
    return response


def _stored(organization_id: int, answers: dict) -> dict:
    """The answers as they are kept: masked first if the organisation keeps no originals."""
    return mask_answers(answers) if masks_at_capture(organization_id) else answers


def _anonymous_key(submission: Submission, at: datetime | None) -> str:
    survey = submission.survey
    month = anonymity.month_of(at or timezone.now())
    return anonymity.source_key(survey.organization_id, survey.pk, submission.respondent, month)


def _apply(response: Response, questions: list, answers: dict, submission: Submission) -> bool:
    """Set the answers and scores; True when this submission completes the response."""
    response.answers = _stored(response.organization_id, answers)
    for name, value in headline_scores(questions, answers).items():
        setattr(response, name, value)
    if submission.complete and not response.is_complete:
        response.is_complete = True
        response.submitted_at = submission.submitted_at or timezone.now()
        if submission.respondent and submission.survey.is_anonymous:
            # One answer per person per month: the month it is completed in (a response
            # begun last month and finished now counts now, and is keyed so).
            response.source_key = _anonymous_key(submission, response.submitted_at)
        return True
    return False


def _announce(response: Response) -> None:
    """Tell the other apps, once the response is committed."""
    response_submitted.send(Response, response_id=response.pk, response=response)


def _announce_start(response: Response) -> None:
    """A respondent began answering from a personal link (an invitation is now started)."""
    response_started.send(Response, response_id=response.pk, response=response)


def _in_transaction() -> bool:
    return transaction.get_connection().in_atomic_block


def import_history(
    *, survey: Survey, submissions: Iterable[Submission], batch_size: int = 2000
) -> int:
    """Bulk-load past responses (imports, demo): validated and scored like live ones.

    No `response_submitted` events: the past must not page managers or open cases today.
    """
    questions = _questions(survey)
    written, batch = 0, []
    for submission in submissions:
        if submission.survey.pk != survey.pk:
            raise InvalidInput("Every imported response must belong to the survey.", "survey")
        # Placed like a live one: never in another organisation's unit, staff or contact.
        _check_context(replace(submission, survey=survey, allow_closed=True))
        response = _new_response(submission)
        answers = clean_answers(
            survey=survey, questions=questions, answers=submission.answers, complete=True
        )
        response.answers = _stored(survey.organization_id, answers)
        response.is_complete, response.submitted_at = True, response.started_at
        for name, value in headline_scores(questions, response.answers).items():
            setattr(response, name, value)
        batch.append(response)
        if len(batch) >= batch_size:
            written += _insert(batch)
            batch = []
    if batch:
        written += _insert(batch)
    return written


def _insert(batch: list[Response]) -> int:
    with transaction.atomic():
        Response.objects.bulk_create(batch)
        ids = [r.pk for r in batch]
        org_id = batch[0].organization_id
        # After the batch commits: analytics counts imported responses too.
        transaction.on_commit(
            lambda: responses_imported.send(Response, organization_id=org_id, response_ids=ids)
        )
    return len(batch)


def repath_after_move(*, organization_id: int, old_path: str, new_path: str) -> None:
    """Keep the copied unit paths right when a unit moves (called on tenancy's unit_moved)."""
    repath_copies(Response.objects.filter(organization_id=organization_id), old_path, new_path)


def heal_unit_paths(*, organization_id: int, old_path: str) -> int:
    """Give responses still filed under a moved subtree's old path their unit's current path.

    A response whose unit was read just before a move commits is inserted after the move's
    rewrite, with the old path; this runs again a little later to catch such stragglers.
    """
    stragglers = (
        Response.objects.filter(organization_id=organization_id, unit__isnull=False)
        .filter(subtree_q(old_path, "unit_path"))
        .exclude(unit__path=F("unit_path"))
    )
    return stragglers.update(unit_path=tenancy_selectors.current_unit_path("unit_id"))


def import_response_file(*, actor: Scope, survey: Survey, filename: str, content: bytes) -> Any:
    """Past responses from another tool's export, matched to the survey's questions and
    loaded like `import_history`, with a row report (responses.history_import); admins only."""
    from voxloop.responses import history_import

    return history_import.run(actor, survey=survey, filename=filename, content=content)
