"""A request that cannot reach the database or Redis answers 503 with Retry-After, at once.

While PostgreSQL restarts or Redis is away, Django would raise and answer 500 with a
traceback in the log for every request. A 503 tells the balancer and the client what it is: a
moment's outage; retry (with the same Idempotency-Key for a create, so nothing is stored
twice). Whatever the request wrote is rolled back by its transaction, or was committed before
the failure and is found again by the retry (docs/operations.md, *Failures*).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext

from voxloop.outages import AWAY

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5


class UnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        except AWAY as error:
            # Raised outside the view (a middleware, an on-commit hook): answer the same way.
            return self._answer(request, error)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, AWAY):
            return self._answer(request, exception)
        return None

    def _answer(self, request: HttpRequest, error: BaseException) -> HttpResponse:
        log.warning("503 for %s %s: %s", request.method, request.path, type(error).__name__)
        message = gettext("The service is briefly unavailable; please try again in a few seconds.")
        if request.path.startswith("/api/"):
            body = {"error": {"code": "unavailable", "message": message, "field": None}}
            response: HttpResponse = JsonResponse(body, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
