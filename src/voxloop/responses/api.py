"""Responses over the API: server-to-server capture (kiosks, IVR, imports) and scoped reads,
and the registration of kiosks.

Who posts decides what may be claimed: a registered kiosk posts as its own channel (kiosk or
IVR); a person (a token or a browser session) posts answers *entered by staff*, as channel
`api` (admins also `import`), recorded with their membership and token and audited.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.responses import NinjaJSONEncoder
from ninja.security import HttpBearer

from voxloop.api.auth import api_auth
from voxloop.api.context import actor
from voxloop.api.pages import listing, page
from voxloop.api.schemas import Id
from voxloop.contacts.selectors import visible_contacts
from voxloop.errors import DomainError, Forbidden, InvalidInput, NotFound
from voxloop.privacy.redaction import mask_answers
from voxloop.responses import kiosks, selectors
from voxloop.responses.models import Channel, Device, Kiosk, Origin, Response
from voxloop.responses.schemas import (
    KioskCreate,
    KioskIssued,
    KioskList,
    KioskOut,
    ResponseCreate,
    ResponseFilters,
    ResponseImportOut,
    ResponseOut,
    ResponsePage,
)
from voxloop.responses.services import Submission, import_response_file, submit
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, Scope, ScopedRequest
from voxloop.textanalytics import selectors as text_selectors
from voxloop.uploads import uploaded_file

router = Router(tags=["responses"])


class KioskToken(HttpBearer):
    """`Authorization: Bearer vxk_…`: a registered kiosk, for storing responses only."""

    def authenticate(self, request: ScopedRequest, token: str):
        device = kiosks.authenticate(secret=token)
        if device is None:
            return None
        request.kiosk = device
        request.scope = kiosks.scope_of(device=device)
        return True


# People's credentials first: they are most of the traffic that is not a kiosk's.
CAPTURE_AUTH = [api_auth[0], KioskToken(), *api_auth[1:]]
# What a person's credential may claim: answers they type in are `api`; admins load history.
PERSON_CHANNELS = {Channel.API}

IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,190}$")
SOURCE_KEY_LENGTH = Response._meta.get_field("source_key").max_length
# The service names its own inputs; the API names the fields of the request body.
BODY_FIELDS = {
    "survey": "survey_id",
    "unit": "unit_code",
    "staff": "staff_code",
    "contact": "contact_external_id",
    "channel": "channel",
    "device": "device",
    "answers": "answers",
    "resume_token": "resume_token",
}


def _out(response: Response, masked: bool = False, text: list[dict] | None = None) -> dict:
    """A response as the API shows it; `masked`: emails, phones, cards and ids in what the
    respondent wrote are replaced (everyone but admins reads them so); `text`: what text
    analytics found in its comments."""
    anonymous = response.survey.is_anonymous
    contact = None if anonymous else response.contact
    staff = None if anonymous else response.staff
    unit = None if anonymous else response.unit  # a small team's unit would name its author
    return {
        "id": response.pk,
        "survey_id": response.survey_id,
        "unit_id": unit.pk if unit else None,
        "unit_code": unit.code if unit else None,
        "staff_code": staff.code if staff else None,
        "contact_id": contact.pk if contact else None,
        "contact_external_id": contact.external_id if contact else None,
        "contact_snapshot": {} if anonymous else response.contact_snapshot,
        "channel": response.channel,
        "device": response.device,
        "locale": response.locale,
        "origin": response.origin,
        "is_complete": response.is_complete,
        "answers": mask_answers(response.answers) if masked else response.answers,
        "nps": response.nps,
        "nps_group": response.nps_group,
        "csat": response.csat,
        "ces": response.ces,
        "started_at": response.started_at,
        "submitted_at": response.submitted_at,
        "text": text or [],  # what text analytics found in its comments (added later)
    }


def _code(value: str | None, field: str) -> str | None:
    """A code to look up; one with a NUL (PostgreSQL cannot even compare it) names no row."""
    if value and "\x00" in value:
        raise NotFound("Codes never contain a NUL character.", field=field)
    return value


def _in_scope(finder: Callable[[], Any], field: str, what: str) -> Any:
    found = finder()
    if found is None:
        raise NotFound(f"No {what} with this code in your scope.", field=field)
    return found


def _claim(request: HttpRequest, scope: Scope, payload: ResponseCreate) -> dict:
    """Who is posting and what that lets them claim; the Submission's fields for it."""
    device: Kiosk | None = getattr(request, "kiosk", None)
    given = payload.model_fields_set
    if device is not None:
        if "channel" in given and payload.channel != device.channel:
            raise Forbidden(f"This kiosk posts as '{device.channel}'.", field="channel")
        if payload.contact_external_id:
            raise Forbidden("A kiosk's answers name no contact.", field="contact_external_id")
        payload.channel = Channel(device.channel)
        if "device" not in given and device.channel == Channel.KIOSK:
            payload.device = Device.KIOSK
        return {"kiosk_id": device.pk}
    # Capturing is a write: admins and managers; not read-only roles.
    if not (scope.can(Capability.CONFIGURE) or scope.can(Capability.ACT)):
        raise Forbidden(f"Your role ({scope.role}) does not allow submitting responses.")
    if payload.channel == Channel.IMPORT:
        if not scope.can(Capability.CONFIGURE):
            raise Forbidden("Only admins import historical responses.", field="channel")
    elif payload.channel not in PERSON_CHANNELS:
        raise Forbidden(
            "Answers you enter are channel 'api'; a kiosk or IVR system posts with the token "
            "of a registered kiosk (POST /kiosks).",
            field="channel",
        )
    token = getattr(request, "api_token", None)
    return {
        "origin": Origin.STAFF,
        "entered_by": scope,
        "entered_token_id": token.pk if token is not None else None,
    }


def _submission(
    scope: Scope, payload: ResponseCreate, source_key: str | None, who: dict
) -> Submission:
    importing = payload.channel == Channel.IMPORT
    if payload.submitted_at is not None:
        if timezone.is_naive(payload.submitted_at):
            payload.submitted_at = timezone.make_aware(payload.submitted_at)
        if not importing:
            raise InvalidInput("Only imports (channel 'import') give a time.", "submitted_at")
        if payload.submitted_at > timezone.now():
            raise InvalidInput("The time lies in the future.", field="submitted_at")
    try:
        survey, questions = survey_selectors.survey_for_capture(scope, payload.survey_id)
    except NotFound:
        raise NotFound("No such survey.", field="survey_id") from None
    unit = staff = contact = None
    _code(payload.unit_code, "unit_code")
    _code(payload.staff_code, "staff_code")
    _code(payload.contact_external_id, "contact_external_id")
    if "\x00" in payload.locale:
        raise InvalidInput("A language code never contains a NUL character.", field="locale")
    if payload.unit_code:
        try:
            unit = tenancy_selectors.capture_unit(scope, payload.unit_code)
        except NotFound:
            raise NotFound("No unit with this code in your scope.", field="unit_code") from None
    if payload.staff_code:
        staff = _in_scope(
            lambda: tenancy_selectors.staff_by_code(scope, payload.staff_code),
            "staff_code",
            "staff member",
        )
    if payload.contact_external_id:
        contact = _in_scope(
            lambda: visible_contacts(scope).filter(external_id=payload.contact_external_id).first(),
            "contact_external_id",
            "contact",
        )
    if unit is None and staff is None and contact is None:
        # Land it where the caller works, so they can read back what they sent.
        root = tenancy_selectors.unit(scope, scope.unit_id)
        unit = root if root.path.startswith(survey.unit_path) else None
    return Submission(
        survey=survey,
        questions=questions,
        answers=payload.answers,
        complete=payload.complete,
        channel=payload.channel,
        device=payload.device,
        locale=payload.locale,
        unit=unit,
        staff=staff,
        contact=contact,
        source_key=source_key,
        submitted_at=payload.submitted_at,
        allow_closed=importing,
        **who,
    )


def _source_key(request: HttpRequest, scope: Scope, who: dict) -> str | None:
    """The response's source for an Idempotency-Key: each caller's keys are their own (a
    membership's, a kiosk's), so two kiosks both counting from 1 never read or continue each
    other's responses."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return None
    if not IDEMPOTENCY_KEY.match(key):
        raise InvalidInput(
            "The Idempotency-Key is 1–190 printable ASCII characters.", field="Idempotency-Key"
        )
    caller = f"kiosk{who['kiosk_id']}" if "kiosk_id" in who else str(scope.membership_id)
    source = f"idem:{caller}:{key}"
    if len(source) > SOURCE_KEY_LENGTH:
        source = f"idem:{caller}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"
    return source


@router.post(
    "/responses",
    response={200: ResponseOut, 201: ResponseOut},
    url_name="response_create",
    auth=CAPTURE_AUTH,
)
def create_response(request: HttpRequest, payload: ResponseCreate) -> JsonResponse:
    """Store one response. Send `Idempotency-Key` to retry safely: a repeat returns the
    first response with 200 instead of storing a second one. With a person's token or
    session the answers are *entered by staff* (channel `api`, or `import` for admins),
    recorded with who sent them and audited; a registered kiosk's token (`vxk_…`) posts as
    the kiosk's channel."""
    scope = actor(request)
    who = _claim(request, scope, payload)
    submission = _submission(scope, payload, _source_key(request, scope, who), who)
    try:
        outcome = submit(submission=submission)
    except DomainError as error:
        # The service names question keys and its own inputs; name the request's fields.
        if error.field:
            base = error.field.split(".")[0]
            error.field = BODY_FIELDS.get(base) or f"answers.{error.field}"
        raise
    # Built from our own fields, so checking it against ResponseOut again (as returning the
    # dict would) only costs time on the busiest endpoint; the schema documents it.
    return JsonResponse(
        _out(outcome.response), status=201 if outcome.created else 200, encoder=NinjaJSONEncoder
    )


@router.get("/responses", response=ResponsePage, url_name="responses")
def list_responses(request: HttpRequest, filters: Query[ResponseFilters]) -> dict:
    scope = actor(request)
    unit = None
    if _code(filters.unit, "unit"):
        try:
            unit = tenancy_selectors.unit_by_code(scope, filters.unit)
        except NotFound:
            raise NotFound("No unit with this code in your scope.", field="unit") from None
    responses = selectors.visible_responses(
        scope,
        survey_id=filters.survey,
        unit=unit,
        since=filters.since,
        until=filters.until,
        nps_group=filters.nps_group or "",
        origin=filters.origin or "",
    )
    masked = not scope.can(Capability.CONFIGURE)
    listed = page(responses, filters, request=request)
    text = text_selectors.analyses_by_response(scope, [r.pk for r in listed["items"]])
    listed["items"] = [_out(r, masked, text.get(r.pk)) for r in listed["items"]]
    return listed


@router.get("/responses/{int:response_id}", response=ResponseOut, url_name="response")
def get_response(request: HttpRequest, response_id: Id) -> dict:
    scope = actor(request)
    found = selectors.response(scope, response_id)
    text = text_selectors.analyses_by_response(scope, [found.pk]).get(found.pk)
    return _out(found, not scope.can(Capability.CONFIGURE), text)


# --- kiosks: registered by admins for a unit of their subtree ---------------------------


def _kiosk_out(device: Kiosk) -> dict:
    return {
        "id": device.pk,
        "name": device.name,
        "unit_id": device.unit_id,
        "unit_code": device.unit.code,
        "channel": device.channel,
        "prefix": device.prefix,
        "created_at": device.created_at,
        "last_used_at": device.last_used_at,
        "revoked_at": device.revoked_at,
    }


@router.get("/kiosks", response=list[KioskOut], url_name="kiosks")
def list_kiosks(request: HttpRequest, query: Query[KioskList]) -> list[dict]:
    """The kiosks registered in your subtree (admins), newest first; never their tokens."""
    found = kiosks.visible_kiosks(actor=actor(request)).order_by("-created_at")
    return listing(request, found, query, _kiosk_out)


@router.post("/kiosks", response={201: KioskIssued}, url_name="kiosk_create")
def create_kiosk(request: HttpRequest, payload: KioskCreate) -> Status:
    """Register a kiosk (or IVR system) at a unit; its token is in `secret`, shown once."""
    scope = actor(request)
    scope.require(Capability.CONFIGURE)
    unit = tenancy_selectors.unit_named_by(scope, payload.unit_code)
    device, secret = kiosks.register(
        actor=scope, unit=unit, name=payload.name, channel=payload.channel
    )
    return Status(201, {**_kiosk_out(device), "secret": secret})


@router.post("/kiosks/{int:kiosk_id}/revoke", response=KioskOut, url_name="kiosk_revoke")
def revoke_kiosk(request: HttpRequest, kiosk_id: Id) -> dict:
    """Its token stops working (at once here, within a few seconds on every server)."""
    scope = actor(request)
    return _kiosk_out(
        kiosks.revoke(actor=scope, device=kiosks.kiosk(actor=scope, kiosk_id=kiosk_id))
    )


IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/surveys/{int:survey_id}/responses/import",
    response=ResponseImportOut,
    url_name="survey_responses_import",
    openapi_extra=IMPORT_BODY,
    summary="Load past responses from another tool's export, with a row report",
)
def import_responses(request: HttpRequest, survey_id: Id) -> dict:
    scope = actor(request)
    scope.require(Capability.CONFIGURE)  # before the upload is read
    survey = survey_selectors.survey(scope, survey_id)
    if not scope.covers_path(survey.unit_path):
        raise Forbidden("Only admins of the survey's unit import its responses.", "survey")
    filename, content, _ = uploaded_file(request)
    report = import_response_file(actor=scope, survey=survey, filename=filename, content=content)
    return report.as_json()
