"""Contacts pages: the scoped contact list, imports (admins), segments."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from voxloop.contacts import condition_fields, selectors, services
from voxloop.contacts.forms import (
    ContactFilterForm,
    ContactImportForm,
    InteractionTypeForm,
    SegmentForm,
)
from voxloop.contacts.importing import ImportReport, import_file
from voxloop.errors import Conflict, DomainError, InvalidInput
from voxloop.privacy import erasure
from voxloop.privacy.services import may_act_on_everything
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import conditions, confirm
from voxloop.web.access import admin_required, is_admin, member_required, records_required
from voxloop.web.forms import apply_domain_error, domain_errors_on, resolve_unit
from voxloop.web.paging import paginate, query_without_page
from voxloop.web.views.common import unit_code_suggestions


def _contacts_page(
    request: ScopedRequest,
    import_form: ContactImportForm | None = None,
    report: ImportReport | None = None,
    status: int = 200,
) -> HttpResponse:
    scope = request.scope
    segments = list(selectors.visible_segments(scope))
    form = ContactFilterForm(request.GET or None, segments=segments)
    contacts = selectors.visible_contacts(scope)
    if form.is_valid():
        contacts = selectors.visible_contacts(scope, form.cleaned_data["q"].strip())
        if form.cleaned_data["segment"]:
            from voxloop.contacts.segments import segment_contacts

            segment = selectors.segment(scope, form.cleaned_data["segment"])
            contacts = segment_contacts(contacts, segment)
    context = {
        "form": form,
        "page": paginate(request, contacts.order_by("last_name", "first_name", "pk")),
        "query": query_without_page(request),
        "can_configure": is_admin(request),
        "import_form": import_form or ContactImportForm(),
        "report": report,
    }
    return render(request, "contacts/list.html", context, status=status)


@records_required
def contact_list(request: ScopedRequest) -> HttpResponse:
    return _contacts_page(request)


@require_POST
@admin_required
def contact_import(request: ScopedRequest) -> HttpResponse:
    form = ContactImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _contacts_page(request, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    # Spooled to disk so the import reads it row by row, whatever its size.
    with tempfile.NamedTemporaryFile(suffix=suffix) as spool:
        for chunk in upload.chunks():
            spool.write(chunk)
        spool.flush()
        with domain_errors_on(form):
            report = import_file(
                actor=request.scope,
                path=spool.name,
                mapping=form.cleaned_data["mapping"],
                unknown=form.cleaned_data["unknown"],
            )
            return _contacts_page(request, report=report)
    return _contacts_page(request, import_form=form, status=400)


@records_required
def contact_detail(request: ScopedRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact(request.scope, contact_id)
    context = {
        "contact": contact,
        "can_export": may_act_on_everything(actor=request.scope, capability=Capability.EXPORT),
        "can_erase": may_act_on_everything(actor=request.scope, capability=Capability.CONFIGURE),
    }
    return render(request, "contacts/detail.html", context)


@records_required
def contact_export(request: ScopedRequest, contact_id: int) -> HttpResponse:
    """The person's data as a JSON file (their access or portability request)."""
    data = erasure.export_person(actor=request.scope, contact_id=contact_id)
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contact-{contact_id}.json"'
    return response


@admin_required
def contact_erase(request: ScopedRequest, contact_id: int) -> HttpResponse:
    """GET: what erasing would change, counted by doing it and rolling it back; POST: do it."""
    if request.method == "POST" and confirm.given(request):
        erasure.erase_contact(actor=request.scope, contact_id=contact_id)
        messages.success(
            request, _("The contact was erased. Their scores still count; nothing names them.")
        )
        return redirect("contacts:list")
    contact = selectors.contact(request.scope, contact_id)
    rehearsal = erasure.erase_contact(actor=request.scope, contact_id=contact_id, rehearse=True)
    return render(request, "contacts/erase.html", {"contact": contact, "counts": rehearsal.counts})


@require_GET
@records_required
def segment_count(request: ScopedRequest) -> JsonResponse:
    """The builder's live count: how many contacts the conditions being built would hold."""
    try:
        filters = json.loads(request.GET.get("conditions") or "{}")
        n = selectors.matching_count(request.scope, filters)
    except ValueError:
        return JsonResponse({"error": _("These conditions could not be read.")}, status=400)
    except InvalidInput as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=400)
    text = ngettext("%(n)s contact matches.", "%(n)s contacts match.", n) % {
        "n": number_format(n, force_grouping=True)
    }
    return JsonResponse({"count": n, "text": text})


def _segments_page(
    request: ScopedRequest, form: SegmentForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    builder = condition_fields.segment_builder(scope)
    context = {
        "builder": builder,
        "segments": [
            (s, conditions.describe(s.filters, builder["fields"]))
            for s in selectors.visible_segments(scope)
        ],
        "can_configure": is_admin(request),
        "form": form or SegmentForm(),
    }
    if context["can_configure"]:
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "contacts/segments.html", context, status=status)


@member_required
def segment_list(request: ScopedRequest) -> HttpResponse:
    return _segments_page(request)


@require_POST
@admin_required
def segment_create(request: ScopedRequest) -> HttpResponse:
    form = SegmentForm(request.POST)
    if form.is_valid():
        unit = (
            resolve_unit(form, request.scope, "unit_code")
            if form.cleaned_data["unit_code"]
            else None
        )
        if not form.errors:
            unit = unit or tenancy_selectors.unit(request.scope, request.scope.unit_id)
            try:
                segment = services.save_segment(
                    actor=request.scope,
                    unit=unit,
                    name=form.cleaned_data["name"],
                    filters=form.cleaned_data["filters"],
                )
            except DomainError as error:
                if error.field and error.field.startswith("filters"):
                    form.add_error("filters", f"{error.field}: {error.message}")
                else:
                    apply_domain_error(form, error)
            else:
                messages.success(request, _("Segment %(name)s saved.") % {"name": segment.name})
                return redirect("contacts:segments")
    return _segments_page(request, form=form, status=400)


# --- interaction types -------------------------------------------------------------------

TYPE_ACTIONS = ("archive", "restore", "delete")


def _types_page(
    request: ScopedRequest, form: InteractionTypeForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    kinds = list(selectors.interaction_types(scope))
    admin = is_admin(request)
    # Types of units above the actor's apply to them but are not theirs to change.
    changeable = {kind.pk for kind in kinds if admin and scope.covers_path(kind.unit_path)}
    context: dict[str, Any] = {
        "kinds": kinds,
        "changeable": changeable,
        "can_configure": admin,
        "form": form or InteractionTypeForm(),
    }
    if admin:
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "contacts/interaction_types.html", context, status=status)


@member_required
def interaction_type_list(request: ScopedRequest) -> HttpResponse:
    return _types_page(request)


@require_POST
@admin_required
def interaction_type_create(request: ScopedRequest) -> HttpResponse:
    form = InteractionTypeForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        unit = resolve_unit(form, request.scope, "unit_code") if data["unit_code"] else None
        if not form.errors:
            unit = unit or tenancy_selectors.scope_root(request.scope)
            with domain_errors_on(form):
                kind = services.define_interaction_type(
                    actor=request.scope, unit=unit, key=data["key"], name=data["name"]
                )
                messages.success(request, _("Interaction type %(name)s saved.") % {"name": kind})
                return redirect("contacts:interaction_types")
    return _types_page(request, form=form, status=400)


@require_POST
@admin_required
def interaction_type_action(request: ScopedRequest, type_id: int, action: str) -> HttpResponse:
    if action not in TYPE_ACTIONS:
        raise Http404
    kind = selectors.interaction_type(request.scope, type_id)
    if action == "delete" and not confirm.given(request):
        lines = [
            _("The interaction type %(name)s is deleted; triggers on it must go first.")
            % {"name": kind},
            _("Archiving instead keeps its history and can be undone."),
        ]
        return confirm.ask(
            request,
            title=_("Delete the interaction type %(name)s?") % {"name": kind},
            consequences=lines,
            confirm_label=_("Delete it"),
            back_url=reverse("contacts:interaction_types"),
        )
    if action == "delete":
        try:
            services.delete_interaction_type(actor=request.scope, kind=kind)
        except Conflict as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Interaction type %(name)s deleted.") % {"name": kind})
    else:
        services.update_interaction_type(
            actor=request.scope, kind=kind, archived=action == "archive"
        )
        if action == "archive":
            messages.success(request, _("Interaction type %(name)s archived.") % {"name": kind})
        else:
            messages.success(request, _("Interaction type %(name)s restored.") % {"name": kind})
    return redirect("contacts:interaction_types")
