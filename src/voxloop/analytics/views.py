"""The dashboard page: filters in the URL (shareable, savable), figures from the selectors,
live refresh by polling a small JSON endpoint."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from voxloop.analytics import (
    charts,
    dashboard,
    filters,
    hooks,
    page_parts,
    selectors,
)
from voxloop.analytics.home_views import home_page  # noqa: F401  (the web shell's home)
from voxloop.analytics.metrics import METRICS
from voxloop.contacts import selectors as contact_selectors
from voxloop.responses.models import Channel, Origin
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy.models import Role
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import member_required

# What each role sees first: the frontline their recent days, leadership the longer trend.
ROLE_DEFAULTS: dict[str, dict[str, str]] = {
    Role.MANAGER: {"period": "30d", "grain": "day"},
    Role.AGENT: {"period": "30d", "grain": "day"},
    Role.VIEWER: {"period": "90d", "grain": "week"},
    Role.ANALYST: {"period": "365d", "grain": "month"},
    Role.ADMIN: {"period": "365d", "grain": "month"},
}
# The dashboard's "Answers" filter: what each origin means to someone reading figures.
ORIGINS = [
    (Origin.RESPONDENT, _("Respondents' own")),
    (Origin.STAFF, _("Entered by staff")),
]
SENTIMENTS = [
    ("negative", _("Negative")),
    ("neutral", _("Neutral")),
    ("positive", _("Positive")),
]
METRIC_LABELS = {
    "nps": _("NPS"),
    "enps": _("eNPS"),
    "csat": _("CSAT (satisfied)"),
    "csat_mean": _("CSAT (mean)"),
    "ces": _("CES (mean ease)"),
    "ces_agree": _("CES (share easy)"),
    "responses": _("Responses"),
    "comments": _("Comments"),
    "response_rate": _("Response rate"),
    "churn_rate": _("Churn rate"),
}


def with_role_defaults(params: QueryDict, role: str) -> QueryDict:
    merged = params.copy()
    for key, value in ROLE_DEFAULTS.get(role, {}).items():
        if key == "period" and (merged.get("start") or merged.get("end")):
            continue
        merged.setdefault(key, value)
    return merged


def _query(params: QueryDict, **changes: Any) -> str:
    q = params.copy()
    q.pop("fragment", None)
    for key, value in changes.items():
        if value in (None, ""):
            q.pop(key, None)
        else:
            q[key] = str(value)
    return q.urlencode()


@member_required
def dashboard_page(request: ScopedRequest) -> HttpResponse:
    params = with_role_defaults(request.GET, request.scope.role)
    chosen = filters.parse(params)
    ctx = selectors.context(request.scope, chosen)
    data = dashboard.payload_of(ctx)
    weekdays = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
    metric_label = str(METRIC_LABELS.get(data["metric"], data["metric"]))
    context = {
        "data": data,
        "filters": chosen,
        "heat": charts.heat_shades(data["metric"], data["heatmap"]) if data["heatmap"] else None,
        "hours": range(24),
        "weekdays": weekdays,
        # Breakdown rows carry codes ("qr", "zh-hans"); the page names them.
        "row_names": {"channel": dict(Channel.choices), "language": dict(settings.LANGUAGES)},
        "query": _query(params),
        "unit_query": _query(params, unit=None),
        "period_query": _query(params, period=None, start=None, end=None, grain=None),
        "labels": METRIC_LABELS,
        "metric_label": metric_label,
        "panel": page_parts.units_panel(ctx, params, metric_label),
        "charts": page_parts.charts(ctx, data, metric_label, [str(d) for d in weekdays]),
    }
    if request.GET.get("fragment"):
        return render(request, "analytics/_live.html", context)
    scope = request.scope
    context.update(
        periods=[(k, label) for k, (label, _days) in filters.PERIODS.items()],
        grains=[
            ("day", _("Day")),
            ("week", _("Week")),
            ("month", _("Month")),
            ("quarter", _("Quarter")),
        ],
        metrics=[(m, METRIC_LABELS[m]) for m in METRICS],
        channels=Channel.choices,
        origins=ORIGINS,
        surveys=survey_selectors.visible_surveys(scope).only("id", "name"),
        segments=contact_selectors.visible_segments(scope),
        audience_groups=hooks.call("audience_groups", scope) or [],
        saved_views=selectors.saved_views(scope),
        sentiments=SENTIMENTS,
        text_themes=hooks.call("text_themes", scope) or [],
    )
    return render(request, "analytics/dashboard.html", context)


@member_required
def live(request: ScopedRequest) -> JsonResponse:
    """A tiny poll: the page refreshes its figures when this stamp changes."""
    params = with_role_defaults(request.GET, request.scope.role)
    ctx = selectors.context(request.scope, filters.parse(params))
    counts = selectors.totals(ctx)
    if ctx.anonymous:  # whole closed months: nothing changes live, and no hidden count shows
        n = selectors.cell(ctx, counts, "responses")["n"]
        return JsonResponse({"stamp": f"{ctx.filters.end}:{n}", "n": n})
    return JsonResponse(
        {"stamp": f"{counts.n}:{counts.comments}:{counts.promoters}", "n": counts.n}
    )


@member_required
def drivers_page(request: ScopedRequest) -> HttpResponse:
    """What moves the score, one survey at a time: Shapley importance of rated questions and
    attributes with bootstrap intervals, and NPS with vs without each answer of the choice
    questions."""
    params = with_role_defaults(request.GET, request.scope.role)
    ctx = selectors.context(request.scope, filters.parse(params))
    found = page_parts.drivers(ctx)
    keep = params.copy()
    keep.pop("survey", None)
    return render(
        request,
        "analytics/drivers.html",
        {
            "ctx": ctx,
            "found": found,
            "filters": ctx.filters,
            "query": _query(params),
            "survey_query": keep.urlencode(),
            "hidden": [(k, v) for k, values in keep.lists() for v in values],
            "labels": METRIC_LABELS,
        },
    )
