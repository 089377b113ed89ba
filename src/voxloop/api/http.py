"""What every API operation answers the same way, wrapped around Ninja's views (decision 0028):

- rate limits per credential (`RateLimit-Limit`, `-Remaining`, `-Reset`; 429 with
  `Retry-After`), counted with `voxloop.counters` like every other throttle;
- `Idempotency-Key` on creates: the first answer is kept for a day and replayed for the same
  key and body; the same key with another body is a 422;
- `ETag` on reads, `If-None-Match` (304), and `If-Match` on writes (412 when stale; 428 when
  the deployment requires it): the tag is a hash of the object's representation as a GET of
  the same path answers it, taken under a lock so two editors cannot both win;
- the `Link: <…>; rel="next"` header of a list's next page.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.urls import Resolver404, resolve

from voxloop import counters
from voxloop.api.errors import error_body
from voxloop.api.pages import next_link
from voxloop.outages import AWAY

View = Callable[..., HttpResponseBase]

log = logging.getLogger(__name__)
IDEMPOTENCY_HOURS = 24
IDEMPOTENCY_RUNNING_SECONDS = 120
# Operations that keep their own, durable Idempotency-Key (a response is stored once).
OWN_IDEMPOTENCY = {"response_create"}
WRITES = ("PATCH", "PUT", "DELETE")
DEFAULT_RATE = "1200/60"


def around(view: View) -> View:
    """The view of one API path with the behaviour above."""

    @wraps(view)
    def answer(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        who = caller(request)
        tally, limit = (None, 0) if who is None or rate()[0] <= 0 else _count(who)
        if tally is not None and tally.count > limit:
            response: HttpResponseBase = _too_many(tally)
        elif request.method == "POST" and "Idempotency-Key" in request.headers:
            response = _idempotent(request, who, lambda: view(request, *args, **kwargs))
        elif request.method in WRITES:
            response = _conditional_write(request, view, args, kwargs)
        else:
            response = view(request, *args, **kwargs)
            if request.method == "GET":
                response = _tagged_read(request, response)
        link = next_link(request)
        if link:
            response["Link"] = f'<{link}>; rel="next"'
        if tally is not None:
            _rate_headers(response, tally, limit)
        return response

    answer.csrf_exempt = True  # type: ignore[attr-defined]  # Ninja checks CSRF for sessions
    return answer


def caller(request: HttpRequest) -> str | None:
    """Whose credential this is, without authenticating it (the operation does): a token's
    digest or a signed-in user. None: nothing to count (the operation will answer 401)."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return "t" + hashlib.sha256(header[7:].strip().encode()).hexdigest()[:32]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return None


# --- rate limits --------------------------------------------------------------------------


def rate() -> tuple[int, int]:
    """(requests, seconds) from VOXLOOP_API_RATE_LIMIT, e.g. "1200/60"; 0 requests: off."""
    raw = str(getattr(settings, "API_RATE_LIMIT", DEFAULT_RATE) or DEFAULT_RATE)
    count, _, window = raw.partition("/")
    return int(count), int(window or 60)


def _count(who: str) -> tuple[counters.Tally, int]:
    limit, window = rate()
    return counters.hit(f"api:{who}", window), limit


def _rate_headers(response: HttpResponseBase, tally: counters.Tally, limit: int) -> None:
    response["RateLimit-Limit"] = str(limit)
    response["RateLimit-Remaining"] = str(max(0, limit - tally.count))
    response["RateLimit-Reset"] = str(tally.retry_after())
    response["RateLimit-Policy"] = f"{limit};w={rate()[1]}"


def _too_many(tally: counters.Tally) -> HttpResponse:
    wait = tally.retry_after()
    message = f"Too many requests with this credential; try again in {wait} s."
    response = JsonResponse(error_body("rate_limited", message), status=429)
    response["Retry-After"] = str(wait)
    return response


# --- idempotency keys ---------------------------------------------------------------------


def _fingerprint(request: HttpRequest) -> str:
    """What makes two requests the same: method, path and query, and the body. An upload is
    read as its fields and files (each client picks its own multipart boundary, and a file
    larger than what Django reads into memory is streamed to disk, not held as a body)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if (request.content_type or "").startswith("multipart/"):
        digest.update(repr(sorted(request.POST.lists())).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}={upload.name}:".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _idempotent(
    request: HttpRequest, who: str | None, run: Callable[[], HttpResponseBase]
) -> HttpResponseBase:
    url_name = getattr(request.resolver_match, "url_name", "")
    if who is None or url_name in OWN_IDEMPOTENCY:
        return run()
    key = request.headers["Idempotency-Key"]
    if not 1 <= len(key) <= 190 or not key.isascii() or not key.isprintable():
        message = "The Idempotency-Key is 1–190 printable ASCII characters."
        return JsonResponse(error_body("invalid", message, "Idempotency-Key"), status=422)
    cache = caches["default"]
    slot = f"vx:idem:{who}:{hashlib.sha256(key.encode()).hexdigest()}"
    fingerprint = _fingerprint(request)
    running = {"fingerprint": fingerprint, "running": True}
    if not cache.add(slot, running, timeout=IDEMPOTENCY_RUNNING_SECONDS):
        kept = cache.get(slot) or {}
        if kept.get("fingerprint") != fingerprint:
            message = "This Idempotency-Key was used with another request; use a new key."
            body = error_body("idempotency_key_reused", message, "Idempotency-Key")
            return JsonResponse(body, status=422)
        if kept.get("running"):
            message = "A request with this Idempotency-Key is still running; retry shortly."
            busy = JsonResponse(error_body("conflict", message, "Idempotency-Key"), status=409)
            busy["Retry-After"] = "1"
            return busy
        return _replay(kept)
    try:
        response = run()
    except BaseException:
        _free(slot)
        raise
    if response.status_code >= 500 or response.status_code in (401, 409, 429):
        _free(slot)  # nothing was done (or it may be retried): the key stays free
        return response
    try:
        cache.set(slot, _kept(fingerprint, response), timeout=IDEMPOTENCY_HOURS * 3600)
    except AWAY:
        # Redis went away after the work was done: answer what was done. A 503 here sent the
        # client to retry work already committed, under a key still marked running for
        # IDEMPOTENCY_RUNNING_SECONDS and then free: done twice (decision 0065).
        log.warning("idempotency: could not keep the answer for %s", request.path)
    return response


def _free(slot: str) -> None:
    """Free a key whose request did nothing; with Redis away, the original error is the
    answer (the key, marked running, frees itself after IDEMPOTENCY_RUNNING_SECONDS)."""
    with contextlib.suppress(*AWAY):
        caches["default"].delete(slot)


def _kept(fingerprint: str, response: HttpResponseBase) -> dict[str, Any]:
    headers = {k: v for k, v in response.items() if k in ("Content-Type", "Location", "ETag")}
    content = getattr(response, "content", b"")
    return {
        "fingerprint": fingerprint,
        "status": response.status_code,
        "headers": headers,
        "content": content,
    }


def _replay(kept: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(kept["content"], status=kept["status"])
    for name, value in kept["headers"].items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


# --- ETags ----------------------------------------------------------------------------------


def etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(header: str, tag: str) -> bool:
    wanted = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in wanted or tag in wanted


def _tagged_read(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    if response.status_code != 200 or not isinstance(response, HttpResponse):
        return response
    if not response.get("Content-Type", "").startswith("application/json"):
        return response
    tag = etag(response.content)
    if _matches(request.headers.get("If-None-Match", ""), tag):
        response = HttpResponse(status=304)
    response["ETag"] = tag
    return response


def _current(request: HttpRequest, view: View, args: tuple, kwargs: dict) -> str | None:
    """The tag a GET of this path would answer with now. A part of an object with no read of
    its own (a survey's question) has the tag of the nearest enclosing path that has one (the
    survey): editing the part changes it. None where there is no such read."""
    reading = copy.copy(request)
    reading.method = "GET"
    reading.META = {**request.META, "REQUEST_METHOD": "GET"}
    answer = view(reading, *args, **kwargs)
    path = request.path.rstrip("/")
    while answer.status_code == 405:
        path = path.rsplit("/", 1)[0]
        if path.count("/") < 4:  # /api/v1/<list>: a list is not an object
            return None
        try:
            match = resolve(path)
        except Resolver404:
            continue
        enclosing = getattr(match.func, "__wrapped__", match.func)
        reading.path = reading.path_info = path
        answer = enclosing(reading, *match.args, **match.kwargs)
    if answer.status_code != 200 or not isinstance(answer, HttpResponse):
        return None
    return etag(answer.content)


def _lock(request: HttpRequest) -> None:
    """Serialise conditional writes of one object: SQLite's transactions take the write lock
    when they begin (transaction_mode IMMEDIATE); PostgreSQL takes an advisory lock."""
    if connection.vendor == "postgresql":
        # The object's path (/api/v1/surveys/7), so edits of its parts queue behind it too.
        top = "/".join(request.path.split("/")[:5])
        key = int.from_bytes(hashlib.sha256(top.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _conditional_write(
    request: HttpRequest, view: View, args: tuple, kwargs: dict
) -> HttpResponseBase:
    wanted = request.headers.get("If-Match")
    required = bool(getattr(settings, "API_REQUIRE_IF_MATCH", False))
    if wanted is None and not required:
        response = view(request, *args, **kwargs)
        return _retag(request, view, args, kwargs, response)
    with transaction.atomic():
        _lock(request)
        tag = _current(request, view, args, kwargs)
        if tag is None:  # no read of this path, or no such object (the write says which)
            return view(request, *args, **kwargs)
        if wanted is None:
            message = "Send If-Match with the ETag of your last read of this object."
            refused = JsonResponse(error_body("precondition_required", message), status=428)
        elif not _matches(wanted, tag):
            message = "The object changed since you read it; read it again and retry."
            refused = JsonResponse(error_body("precondition_failed", message), status=412)
        else:
            response = view(request, *args, **kwargs)
            return _retag(request, view, args, kwargs, response)
    refused["ETag"] = tag
    return refused


def _retag(
    request: HttpRequest, view: View, args: tuple, kwargs: dict, response: HttpResponseBase
) -> HttpResponseBase:
    """A successful update answers with the object's new tag, ready for the next If-Match."""
    if request.method != "DELETE" and response.status_code == 200:
        tag = _current(request, view, args, kwargs)
        if tag is not None:
            response["ETag"] = tag
    return response
