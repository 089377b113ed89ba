"""GET /favicon.ico: browsers ask for it at the root whatever the page links; the icon itself
is a static file (web/favicon.ico), served from wherever the static files are found."""

from __future__ import annotations

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

DAY = 86_400


@require_GET
def favicon(request: HttpRequest) -> FileResponse:
    found = finders.find("web/favicon.ico")
    if not found:
        raise Http404
    answer = FileResponse(open(found, "rb"), content_type="image/x-icon")  # noqa: SIM115
    answer["Cache-Control"] = f"public, max-age={7 * DAY}"
    return answer
