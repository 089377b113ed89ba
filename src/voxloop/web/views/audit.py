"""Admin-only: the audit log of the admin's subtree."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from voxloop.tenancy import selectors
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web.access import admin_required
from voxloop.web.forms import AuditFilterForm
from voxloop.web.paging import paginate, query_without_page

PER_PAGE = 50


@admin_required
def audit_log(request: ScopedRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET or None)
    action = form.cleaned_data["action"] if form.is_valid() else ""
    entries = selectors.audit_log(request.scope, action=action)
    context = {
        "form": form,
        "page": paginate(request, entries, per_page=PER_PAGE),
        "query": query_without_page(request),
    }
    return render(request, "web/audit.html", context)
