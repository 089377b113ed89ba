"""Public endpoints of the web widget: the loader script, the show-or-not check and the framed
survey. Each is rate limited per client address like the respondent pages; the framed pages
are the only ones in the product another site may frame, and only a site the widget allows."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from voxloop.distribution.widget import visits
from voxloop.errors import DomainError
from voxloop.origins import normal_origin
from voxloop.surveys import hosting

if TYPE_CHECKING:
    from voxloop.distribution.models import Widget

LOADER_MAX_AGE = 300  # a changed rule reaches every page within five minutes
JS_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
JS_ESCAPES.update({0x2028: "\\u2028", 0x2029: "\\u2029"})


@require_GET
def loader(request: HttpRequest, key: str) -> HttpResponse:
    if not hosting.allowed(request, "view"):
        return HttpResponse("/* too many requests */", status=429, content_type="text/javascript")
    widget = visits.widget_for_page(key)
    if widget is None:
        return HttpResponse("/* no such widget */", status=404, content_type="text/javascript")
    if not widget.is_active:
        body = "/* this widget is switched off */"
    else:
        config = json.dumps(visits.loader_config(widget)).translate(JS_ESCAPES)
        body = render_to_string("distribution/widget/loader.js", {"config": config})
    answer = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    answer["Cache-Control"] = f"public, max-age={LOADER_MAX_AGE}"
    # Any site may load the script; what it may then show is the check's decision.
    answer["Cross-Origin-Resource-Policy"] = "cross-origin"
    return answer


def _cors(answer: HttpResponse, origin: str) -> HttpResponse:
    answer["Access-Control-Allow-Origin"] = origin
    answer["Access-Control-Allow-Methods"] = "POST"
    answer["Access-Control-Max-Age"] = "600"
    answer["Vary"] = "Origin"
    answer["Cache-Control"] = "no-store"
    return answer


@csrf_exempt  # called from the customer's page, with no session; its Origin is checked instead
@require_http_methods(["POST", "OPTIONS"])
def check(request: HttpRequest, key: str) -> HttpResponse:
    """{show, reason, frame}: whether the visitor sees the widget, and the framed survey."""
    if not hosting.allowed(request, "submit"):
        return JsonResponse({"detail": "Too many requests."}, status=429)
    widget = visits.widget_for_page(key)
    if widget is None:
        return JsonResponse({"detail": "No such widget.", "field": "key"}, status=404)
    origin = normal_origin(request.headers.get("Origin", ""))
    if not origin or origin not in widget.allowed_origins:
        detail = "This site may not show this widget: add its origin to the widget."
        return JsonResponse({"detail": detail, "field": "origin"}, status=403)
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    try:
        user_id = visits.read_user_id(request.POST.get("user_id", ""))
        user_id = visits.verified_user_id(widget, user_id, request.POST.get("user_hash"))
        attributes = visits.read_attributes(request.POST.get("attributes", ""))
    except DomainError as error:
        body = {"detail": error.message, "field": error.field}
        return _cors(JsonResponse(body, status=error.status), origin)
    verdict = visits.decide(widget, user_id, attributes)
    shown = {"show": verdict.show, "reason": verdict.reason, "frame": verdict.frame}
    return _cors(JsonResponse(shown), origin)


class _Resolver:
    """The respondent pages' link reader for frame links; keeps the widget for the headers."""

    def __init__(self) -> None:
        self.widget: Widget | None = None

    def __call__(self, key: str, params: Mapping[str, Any]) -> hosting.Visit:
        visit, self.widget = visits.open_frame(key)
        return visit


def _framable(answer: HttpResponse, widget: Widget | None) -> HttpResponse:
    """Only this widget's sites may frame the page; without a widget it stays unframable."""
    if widget is None:
        return answer
    origins = " ".join(widget.allowed_origins) or "'none'"
    answer["Content-Security-Policy"] = f"frame-ancestors {origins}"
    answer.xframe_options_exempt = True
    return answer


@csrf_exempt  # a third-party frame gets no cookies; the signed frame link is the credential
def frame(request: HttpRequest, token: str) -> HttpResponse:
    resolver = _Resolver()
    return _framable(hosting.survey_page(request, token, resolver=resolver), resolver.widget)


def frame_done(request: HttpRequest, token: str) -> HttpResponse:
    resolver = _Resolver()
    return _framable(hosting.thanks_page(request, token, resolver=resolver), resolver.widget)
