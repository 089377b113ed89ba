"""The small JSON lists behind the search-as-you-type pickers (web/work.js): units by name or
code, people by name. Scoped like every read: a member finds only their subtree."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from voxloop.tenancy import selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import member_required

LIMIT = 20


def _term(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:100]


@require_GET
@member_required
def units(request: ScopedRequest) -> JsonResponse:
    term = _term(request)
    found = list(selectors.visible_units(request.scope, search=term)[:LIMIT]) if term else []
    items = [{"value": u.code, "label": u.name, "detail": u.code} for u in found]
    return JsonResponse({"items": items})


@require_GET
@member_required
def people(request: ScopedRequest) -> JsonResponse:
    term = _term(request)
    found = selectors.colleagues(request.scope, search=term, limit=LIMIT)
    items = [
        {
            "value": m.user.get_username(),
            "label": m.user.get_full_name() or m.user.get_username(),
            "detail": f"{m.user.get_username()} · {m.unit.name}",
        }
        for m in found
    ]
    return JsonResponse({"items": items})
