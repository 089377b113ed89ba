"""The SMS provider's callbacks: POST /o/hooks/sms/<token>/status (delivery reports) and
POST /o/hooks/sms/<token>/inbound (replies). Form-encoded or JSON, with the field names of
common SMS APIs; the token in the URL is the organisation's (SmsHook). Rate limited per client
address like the other public endpoints."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from voxloop.contacts.phones import to_e164
from voxloop.distribution.sms import hooks
from voxloop.errors import InvalidInput, NotFound
from voxloop.surveys import hosting

MAX_BYTES = 64_000
MESSAGE_ID = ("message_id", "MessageSid", "SmsSid", "messageId", "MessageUUID", "id")
STATUS = ("status", "MessageStatus", "SmsStatus", "Status")
ERROR_CODE = ("error_code", "ErrorCode", "err-code", "errorCode")
SENDER = ("from", "From", "msisdn")
BODY = ("body", "Body", "text", "Text")


def _error(message: str, field: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": message, "field": field}, status=status)


def _payload(request: HttpRequest) -> dict[str, Any]:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            raise InvalidInput("The body is not JSON.", "body") from None
        if not isinstance(data, dict):
            raise InvalidInput("Send one JSON object.", "body")
        return data
    return request.POST.dict()


def _first(data: dict, names: tuple[str, ...]) -> str:
    for name in names:
        value = data.get(name)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _gate(request: HttpRequest, token: str) -> tuple[int, dict[str, Any]] | JsonResponse:
    """(organisation id, payload), or the error answer."""
    if not hosting.allowed(request, "submit"):
        return _error("Too many requests.", "", 429)
    organization_id = hooks.organization_for(token)
    if organization_id is None:
        return _error("Unknown callback address.", "token", 404)
    if len(request.body) > MAX_BYTES:
        return _error("Payload too large.", "body", 413)
    try:
        return organization_id, _payload(request)
    except InvalidInput as bad:
        return _error(bad.message, bad.field or "", 400)


@csrf_exempt  # the provider has no session; the unguessable token is its credential
@require_POST
def status(request: HttpRequest, token: str) -> HttpResponse:
    gated = _gate(request, token)
    if isinstance(gated, JsonResponse):
        return gated
    organization_id, data = gated
    message_id = _first(data, MESSAGE_ID)
    if not message_id or len(message_id) > 200:
        return _error("Give the message id the provider returned.", "message_id", 400)
    state = _first(data, STATUS).lower()
    known = hooks.DELIVERED | hooks.FAILED | hooks.IN_FLIGHT
    if state not in known:
        return _error("The status is delivered, failed or undelivered.", "status", 400)
    try:
        result = hooks.apply_status(
            organization_id, message_id, state, _first(data, ERROR_CODE)[:20]
        )
    except NotFound as missing:
        return _error(missing.message, "message_id", 404)
    return JsonResponse({"result": result})


@csrf_exempt
@require_POST
def inbound(request: HttpRequest, token: str) -> HttpResponse:
    """The reply goes back in the answer: TwiML (<Response><Message>…) by default, the bare
    text with ?format=text; an empty <Response/> (or body) when there is nothing to say."""
    gated = _gate(request, token)
    if isinstance(gated, JsonResponse):
        return gated
    organization_id, data = gated
    sender = _first(data, SENDER)
    if not sender:
        return _error("Give the sender's number.", "from", 400)
    phone = to_e164(sender)
    if phone is None:
        return _error("The sender's number is not in international (E.164) form.", "from", 400)
    body = _first(data, BODY)
    if len(body) > 1600:
        return _error("The message is too long.", "body", 400)
    reply = hooks.handle_reply(organization_id, phone, body)
    if request.GET.get("format") == "text":
        return HttpResponse(reply.text, content_type="text/plain; charset=utf-8")
    inner = f"<Message>{escape(reply.text)}</Message>" if reply.text else ""
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Response>{inner}</Response>'
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")
