"""The admin's review-source pages: sources of their subtree, each with a form for its
credentials (one box per secret, never shown back), its location → unit mapping, a file
import, "fetch now" and deletion after a confirmation. Thin: services decide and audit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from voxloop import sealing
from voxloop.errors import DomainError
from voxloop.reviews import selectors, services
from voxloop.reviews.forms import ImportForm, LocationForm, SourceForm
from voxloop.reviews.models import ReviewSource, SourceKind
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.uploads import MAX_UPLOAD
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import apply_domain_error, resolve_unit
from voxloop.web.views.common import unit_code_suggestions


@admin_required
def source_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = SourceForm(request.POST or None, initial={"unit_code": scope_root_code(request)})
    if request.method == "POST" and form.is_valid():
        unit = resolve_unit(form, scope, "unit_code")
        if unit is not None:
            data = form.cleaned_data
            try:
                source = services.create_source(
                    scope=scope,
                    unit=unit,
                    name=data["name"],
                    kind=data["kind"],
                    credentials=form.credentials(data["kind"]),
                    interval_minutes=data["interval_minutes"],
                    base_url=data["base_url"],
                    is_competitor=data["is_competitor"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Source created. Map its locations to units."))
                return redirect("reviews:source", source_id=source.pk)
    context = {
        "sources": selectors.sources(scope),
        "form": form,
        "unit_codes": unit_code_suggestions(scope),
    }
    status = 400 if form.errors else 200
    return render(request, "reviews/sources.html", context, status=status)


def scope_root_code(request: ScopedRequest) -> str:
    return request.membership.unit.code


def _hints(source: ReviewSource) -> dict[str, str]:
    return {k: sealing.hint(v) for k, v in sealing.unseal(source.credentials).items()}


def _source_page(
    request: ScopedRequest,
    source: ReviewSource,
    form: SourceForm | None = None,
    location_form: LocationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    initial = {
        "name": source.name,
        "kind": source.kind,
        "unit_code": source.unit.code,
        "interval_minutes": source.interval_minutes,
        "is_active": source.is_active,
        "is_competitor": source.is_competitor,
        "base_url": source.base_url,
    }
    context = {
        "source": source,
        "form": form or SourceForm(initial=initial, fixed_kind=source.kind, hints=_hints(source)),
        "credential_fields": services.credential_fields(kind=source.kind),
        "locations": selectors.locations(source),
        "location_form": location_form or LocationForm(),
        "import_form": ImportForm() if source.kind == SourceKind.FILE else None,
        "unit_codes": unit_code_suggestions(request.scope),
    }
    return render(request, "reviews/source.html", context, status=status)


@admin_required
def source_detail(request: ScopedRequest, source_id: int) -> HttpResponse:
    scope = request.scope
    source = selectors.source(scope, source_id)
    if request.method != "POST":
        return _source_page(request, source)
    form = SourceForm(request.POST, fixed_kind=source.kind, hints=_hints(source))
    if not form.is_valid():
        return _source_page(request, source, form, status=400)
    data = form.cleaned_data
    try:
        services.update_source(
            scope=scope,
            source=source,
            name=data["name"],
            credentials=form.credentials(source.kind),
            interval_minutes=data["interval_minutes"],
            base_url=data["base_url"],
            is_active=data["is_active"],
            is_competitor=data["is_competitor"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return _source_page(request, source, form, status=400)
    messages.success(request, _("Source saved."))
    return redirect("reviews:source", source_id=source.pk)


@require_POST
@admin_required
def location_add(request: ScopedRequest, source_id: int) -> HttpResponse:
    scope = request.scope
    source = selectors.source(scope, source_id)
    form = LocationForm(request.POST)
    unit = resolve_unit(form, scope, "unit_code") if form.is_valid() else None
    if unit is None:
        return _source_page(request, source, location_form=form, status=400)
    try:
        services.set_location(
            scope=scope,
            source=source,
            external_id=form.cleaned_data["external_id"],
            unit=unit,
            label=form.cleaned_data["label"],
            public_url=form.cleaned_data["public_url"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return _source_page(request, source, location_form=form, status=400)
    messages.success(request, _("Location mapped."))
    return redirect("reviews:source", source_id=source.pk)


@require_POST
@admin_required
def location_remove(request: ScopedRequest, location_id: int) -> HttpResponse:
    scope = request.scope
    location = selectors.location(scope, location_id)
    back = reverse("reviews:source", args=[location.source_id])
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Remove this location?"),
            consequences=[
                _("Its reviews stay; new ones from this location are no longer fetched."),
            ],
            confirm_label=_("Remove"),
            back_url=back,
        )
    services.remove_location(scope=scope, location=location)
    messages.success(request, _("Location removed."))
    return redirect(back)


@require_POST
@admin_required
def source_import(request: ScopedRequest, source_id: int) -> HttpResponse:
    scope = request.scope
    source = selectors.source(scope, source_id)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _source_page(request, source, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("The file is too large."))
        return redirect("reviews:source", source_id=source.pk)
    try:
        report = services.import_file(
            scope=scope, source=source, name=upload.name, data=upload.read()
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("reviews:source", source_id=source.pk)
    messages.success(
        request,
        _("%(new)d new, %(edited)d changed, %(problems)d rows not imported.")
        % {"new": report.new, "edited": report.edited, "problems": len(report.problems)},
    )
    for problem in report.problems[:20]:
        messages.warning(
            request,
            _("Line %(line)d, %(field)s: %(message)s")
            % {"line": problem.line, "field": problem.field, "message": problem.message},
        )
    return redirect("reviews:source", source_id=source.pk)


@require_POST
@admin_required
def source_fetch(request: ScopedRequest, source_id: int) -> HttpResponse:
    source = selectors.source(request.scope, source_id)
    services.fetch_now(scope=request.scope, source=source)
    messages.success(request, _("A fetch was requested."))
    return redirect("reviews:source", source_id=source.pk)


@require_POST
@admin_required
def source_delete(request: ScopedRequest, source_id: int) -> HttpResponse:
    scope = request.scope
    source = selectors.source(scope, source_id)
    if not confirm.given(request):
        count = source.reviews.count()
        return confirm.ask(
            request,
            title=_("Delete the source %(name)s?") % {"name": source.name},
            consequences=[
                _("%(n)d review(s) fetched from it are deleted with it.") % {"n": count},
            ],
            confirm_label=_("Delete"),
            back_url=reverse("reviews:source", args=[source.pk]),
        )
    services.delete_source(scope=scope, source=source)
    messages.success(request, _("Source deleted."))
    return redirect("reviews:sources")
