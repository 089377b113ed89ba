"""The admin's CRM pages: connectors of their subtree, each with its settings and
credentials (never shown back), the webhook address to give the CRM, the OAuth authorisation,
the field mapping as selects, "sync now", the activity log with each failed record, and
disconnection after a confirmation that says what happens. And the public webhook receiver.
Thin: services decide and audit."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from voxloop.contacts import selectors as contact_selectors
from voxloop.crm import inbound, oauth, selectors, services
from voxloop.crm.connectors import CONNECTORS
from voxloop.crm.connectors.base import HookRequest
from voxloop.crm.forms import (
    BaseMappingFormSet,
    ConnectForm,
    MappingFormSet,
    SettingsForm,
    credentials_of,
)
from voxloop.crm.models import CrmConnector
from voxloop.errors import DomainError
from voxloop.surveys import hosting
from voxloop.tenancy.scoping import ScopedRequest
from voxloop.web import confirm
from voxloop.web.access import admin_required
from voxloop.web.forms import apply_domain_error, resolve_unit
from voxloop.web.views.common import unit_code_suggestions

MAX_HOOK_BYTES = 1_000_000


def public_url(path: str) -> str:
    return settings.BASE_URL.rstrip("/") + path


@admin_required
def connector_list(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = ConnectForm(request.POST or None, initial={"unit_code": request.membership.unit.code})
    if request.method == "POST" and form.is_valid():
        unit = resolve_unit(form, scope, "unit_code")
        if unit is not None:
            data = form.cleaned_data
            try:
                connector = services.create_connector(
                    scope=scope,
                    unit=unit,
                    name=data["name"],
                    kind=data["kind"],
                    credentials=credentials_of(form, data["kind"]),
                    base_url=data["base_url"],
                    interval_minutes=data["interval_minutes"],
                )
            except DomainError as error:
                apply_domain_error(form, error)
            else:
                messages.success(request, _("Connected. Check the field mapping and events."))
                return redirect("crm:connector", connector_id=connector.pk)
    context = {
        "connectors": selectors.connectors(scope),
        "form": form,
        "unit_codes": unit_code_suggestions(scope),
    }
    return render(request, "crm/connectors.html", context, status=400 if form.errors else 200)


def _type_choices(request: ScopedRequest, connector: CrmConnector) -> list[tuple[str, str]]:
    types = contact_selectors.interaction_types(request.scope, archived=False)
    return [(t.key, t.name) for t in types if connector.unit_path.startswith(t.unit_path)]


def _settings_form(
    request: ScopedRequest, connector: CrmConnector, data: object = None
) -> SettingsForm:
    initial = {
        "name": connector.name,
        "base_url": connector.base_url,
        "interval_minutes": connector.interval_minutes,
        "is_active": connector.is_active,
        "sync_contacts": connector.sync_contacts,
        "sync_accounts": connector.sync_accounts,
        "write_back": connector.write_back,
        "cases_to_tickets": connector.cases_to_tickets,
        **{f"event_{k}": v for k, v in (connector.event_types or {}).items()},
    }
    return SettingsForm(
        data,
        initial=initial,
        kind=connector.kind,
        hints=selectors.credential_hints(connector),
        type_choices=_type_choices(request, connector),
    )


def _mapping_formset(
    request: ScopedRequest, connector: CrmConnector, data: object = None
) -> BaseMappingFormSet:
    initial = [
        {
            "record": m.record,
            "local_field": m.local_field,
            "remote_field": m.remote_field,
            "direction": m.direction,
            "rule": m.rule,
        }
        for m in selectors.mapping(connector)
    ]
    attributes = contact_selectors.attribute_names(request.scope)
    attributes += [
        m.local_field.removeprefix("attributes.")
        for m in selectors.mapping(connector)
        if m.local_field.startswith("attributes.")
    ]
    return MappingFormSet(
        data,
        initial=initial,
        prefix="map",
        attributes=sorted(set(attributes)),
    )


def _page(
    request: ScopedRequest,
    connector: CrmConnector,
    form: SettingsForm | None = None,
    formset: BaseMappingFormSet | None = None,
    status: int = 200,
) -> HttpResponse:
    provider = CONNECTORS[connector.kind]
    context = {
        "connector": connector,
        "form": form or _settings_form(request, connector),
        "formset": formset or _mapping_formset(request, connector),
        "webhook_url": public_url(reverse("crm:hook", args=[connector.hook_key])),
        "uses_oauth": provider.uses_oauth,
        "authorised": selectors.is_authorised(connector),
        "suggested_fields": sorted(
            {v for fields in provider.default_fields.values() for v in fields.values()}
        ),
        "activity": selectors.activity(connector),
        "failed": selectors.failed_writebacks(connector),
        "queued": selectors.queued_count(connector),
    }
    return render(request, "crm/connector.html", context, status=status)


@admin_required
def connector_detail(request: ScopedRequest, connector_id: int) -> HttpResponse:
    scope = request.scope
    connector = selectors.connector(scope, connector_id)
    if request.method != "POST":
        return _page(request, connector)
    form = _settings_form(request, connector, request.POST)
    if not form.is_valid():
        return _page(request, connector, form=form, status=400)
    data = form.cleaned_data
    try:
        services.update_connector(
            scope=scope,
            connector=connector,
            name=data["name"],
            credentials=credentials_of(form, connector.kind),
            base_url=data["base_url"],
            interval_minutes=data["interval_minutes"],
            event_types=form.event_types(connector.kind),
            is_active=data["is_active"],
            sync_contacts=data["sync_contacts"],
            sync_accounts=data["sync_accounts"],
            write_back=data["write_back"],
            cases_to_tickets=data["cases_to_tickets"],
        )
    except DomainError as error:
        apply_domain_error(form, error)
        return _page(request, connector, form=form, status=400)
    messages.success(request, _("Connector saved."))
    return redirect("crm:connector", connector_id=connector.pk)


@require_POST
@admin_required
def mapping(request: ScopedRequest, connector_id: int) -> HttpResponse:
    scope = request.scope
    connector = selectors.connector(scope, connector_id)
    formset = _mapping_formset(request, connector, request.POST)
    if not formset.is_valid():
        return _page(request, connector, formset=formset, status=400)
    rows = [
        services.MappingRow(
            record=f.cleaned_data["record"],
            local_field=f.cleaned_data["local_field"],
            remote_field=f.cleaned_data["remote_field"],
            direction=f.cleaned_data["direction"],
            rule=f.cleaned_data["rule"],
        )
        for f in formset.forms
        if f.cleaned_data and not f.cleaned_data.get("DELETE")
    ]
    try:
        services.set_mapping(scope=scope, connector=connector, rows=rows)
    except DomainError as error:
        formset.refusal = error.message
        return _page(request, connector, formset=formset, status=400)
    messages.success(request, _("Field mapping saved."))
    return redirect("crm:connector", connector_id=connector.pk)


@require_POST
@admin_required
def sync_now(request: ScopedRequest, connector_id: int) -> HttpResponse:
    connector = selectors.connector(request.scope, connector_id)
    services.sync_now(scope=request.scope, connector=connector)
    messages.success(request, _("A sync was requested; its outcome appears in the activity log."))
    return redirect("crm:connector", connector_id=connector.pk)


@require_POST
@admin_required
def disconnect(request: ScopedRequest, connector_id: int) -> HttpResponse:
    scope = request.scope
    connector = selectors.connector(scope, connector_id)
    if not confirm.given(request):
        return confirm.ask(
            request,
            title=_("Disconnect %(name)s?") % {"name": connector.name},
            consequences=[
                _("Its credentials are deleted from Voxloop and its webhooks are refused."),
                _("%(n)d links between Voxloop contacts and CRM records are forgotten.")
                % {"n": connector.links.count()},
                _("%(n)d write-backs not yet sent are dropped.")
                % {"n": selectors.queued_count(connector)},
                _(
                    "Contacts, accounts and interactions it brought stay in Voxloop; nothing "
                    "is deleted or changed in the CRM."
                ),
            ],
            confirm_label=_("Disconnect"),
            back_url=reverse("crm:connector", args=[connector.pk]),
        )
    services.disconnect(scope=scope, connector=connector)
    messages.success(request, _("Disconnected."))
    return redirect("crm:connectors")


def _callback_url(request: HttpRequest) -> str:
    return public_url(reverse("crm:oauth_callback"))


@require_POST
@admin_required
def oauth_start(request: ScopedRequest, connector_id: int) -> HttpResponse:
    connector = selectors.connector(request.scope, connector_id)
    try:
        url = oauth.authorize_url(connector=connector, redirect_uri=_callback_url(request))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("crm:connector", connector_id=connector.pk)
    return redirect(url)


@admin_required
def oauth_callback(request: ScopedRequest) -> HttpResponse:
    """Where the provider sends the admin back: the state names the connector (signed, 15
    minutes), which must be in the admin's own scope."""
    if request.GET.get("error"):
        messages.error(
            request,
            _("The provider refused: %(reason)s")
            % {"reason": request.GET.get("error_description") or request.GET["error"]},
        )
        return redirect("crm:connectors")
    try:
        connector_id = oauth.connector_id_of(request.GET.get("state", ""))
        connector = selectors.connector(request.scope, connector_id)
        oauth.complete(
            scope=request.scope,
            connector=connector,
            code=request.GET.get("code", ""),
            redirect_uri=_callback_url(request),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("crm:connectors")
    messages.success(request, _("Authorised. The first sync starts within a minute."))
    return redirect("crm:connector", connector_id=connector.pk)


@csrf_exempt  # the CRM has no session; the secret URL and the provider's signature are its proof
@require_POST
def hook(request: HttpRequest, key: str) -> HttpResponse:
    if not hosting.allowed(request, "submit"):
        return JsonResponse({"detail": "Too many requests."}, status=429)
    connector = inbound.connector_for_hook(key)
    if connector is None:
        return JsonResponse({"detail": "Unknown webhook address."}, status=404)
    if len(request.body) > MAX_HOOK_BYTES:
        return JsonResponse({"detail": "Payload too large."}, status=413)
    received = HookRequest(
        method=request.method or "POST",
        # The address the provider called, as Voxloop is known publicly (behind a proxy the
        # request's own host and scheme may differ): HubSpot signs over it.
        url=public_url(request.get_full_path()),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=request.body,
    )
    try:
        result = inbound.receive(connector=connector, hook=received)
    except inbound.BadSignature:
        return JsonResponse({"detail": "The signature does not match."}, status=401)
    ack = getattr(CONNECTORS[connector.kind], "ack", None)
    if ack is not None:
        return HttpResponse(ack[1], content_type=ack[0])
    return JsonResponse({"accepted": result.accepted, "duplicates": result.duplicates})
