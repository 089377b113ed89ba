"""The home page of anyone who reads figures (analytics.home composes it) and the saved views'
pages. The web shell's home hands over to `home_page` for every member."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from voxloop.analytics import home
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import member_required

LINK_LABELS = {
    "unit": _("Your unit: its people, staff and units below"),
    "dashboard": _("Dashboard: every figure, trend and breakdown"),
    "drivers": _("What drives the score?"),
    "saved_views": _("Saved views"),
    "text": _("What customers write about"),
    "cases": _("Cases"),
    "units": _("Every unit in your scope"),
    "people": _("People and access"),
    "audit": _("Who changed what (audit log)"),
}


@member_required
def home_page(request: ScopedRequest) -> HttpResponse:
    from voxloop.analytics.views import METRIC_LABELS  # views re-exports this page

    answer = home.home(request.scope, request.GET)
    links = [{**link, "label": LINK_LABELS[link["name"]]} for link in answer.links]
    return render(
        request,
        "analytics/home.html",
        {
            "home": answer,
            "links": links,
            "labels": METRIC_LABELS,
        },
    )
