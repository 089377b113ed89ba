"""Outreach pages: statistics, campaigns (create, act, preview, non-responders), triggers."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from voxloop import spreadsheets
from voxloop.contacts import selectors as contact_selectors
from voxloop.distribution import selectors, services
from voxloop.distribution.campaigns import confirmations, trigger_fields, triggers
from voxloop.distribution.campaigns import preview as previews
from voxloop.distribution.forms import CampaignForm, StatsForm, TestSendForm, TriggerForm
from voxloop.errors import DomainError, Forbidden
from voxloop.surveys import selectors as survey_selectors
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.scoping import Capability, ScopedRequest
from voxloop.web import conditions, confirm
from voxloop.web.access import admin_required, is_admin, member_required, reads_records
from voxloop.web.forms import domain_errors_on, resolve_unit
from voxloop.web.paging import paginate
from voxloop.web.views.common import unit_code_suggestions

ACTIONS = {
    "launch": services.launch,
    "pause": services.pause,
    "resume": services.resume,
    "cancel": services.cancel,
}


@member_required
def home(request: ScopedRequest) -> HttpResponse:
    form = StatsForm(request.GET or None)
    by = form.cleaned_data["by"] if form.is_valid() and form.cleaned_data["by"] else "campaign"
    rows = selectors.outreach_stats(request.scope, by=by)
    # A store's invitations may come from a campaign of the company: name it, link only the
    # campaigns this member may open (others would be a 404).
    ids = {r["group"].get("campaign_id") for r in rows} if by == "campaign" else set()
    openable = set(
        selectors.visible_campaigns(request.scope).filter(pk__in=ids).values_list("pk", flat=True)
    )
    context = {"form": form, "rows": rows, "by": by, "openable": openable}
    return render(request, "distribution/home.html", context)


def _campaigns_page(
    request: ScopedRequest, form: CampaignForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    context = {
        "page": paginate(request, selectors.visible_campaigns(scope)),
        "can_configure": is_admin(request),
    }
    if context["can_configure"]:
        context["form"] = form or _campaign_form(request)
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "distribution/campaigns.html", context, status=status)


def _campaign_form(request: ScopedRequest, data: QueryDict | None = None) -> CampaignForm:
    scope = request.scope
    return CampaignForm(
        data,
        surveys=survey_selectors.visible_surveys(scope, status="live"),
        segments=contact_selectors.visible_segments(scope),
    )


@member_required
def campaign_list(request: ScopedRequest) -> HttpResponse:
    return _campaigns_page(request)


@require_POST
@admin_required
def campaign_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = _campaign_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        unit = resolve_unit(form, scope, "unit_code") if data["unit_code"] else None
        if not form.errors:
            with domain_errors_on(form):
                campaign = services.create_campaign(
                    actor=scope,
                    unit=unit or tenancy_selectors.unit(scope, scope.unit_id),
                    survey=survey_selectors.survey(scope, data["survey"]),
                    segment=contact_selectors.segment(scope, data["segment"])
                    if data["segment"]
                    else None,
                    name=data["name"],
                    channel=data["channel"],
                    send_at=data["send_at"],
                    throttle_per_minute=data["throttle_per_minute"],
                    reminders=data["reminders"],
                    reminder_after_days=data["reminder_after_days"],
                    expires_after_days=data["expires_after_days"],
                    sender_name=data["sender_name"],
                    sender_email=data["sender_email"],
                    reply_to=data["reply_to"],
                    texts={"subject": subjects} if (subjects := form.subject_texts()) else {},
                )
                return redirect("distribution:campaign", campaign.pk)
    return _campaigns_page(request, form=form, status=400)


@member_required
def campaign_detail(request: ScopedRequest, campaign_id: int) -> HttpResponse:
    scope = request.scope
    campaign = selectors.campaign(scope, campaign_id)
    stats = selectors.outreach_stats(scope, by="campaign", campaign_id=campaign.pk)
    context = {
        "campaign": campaign,
        "stats": stats[0] if stats else None,
        "silent": selectors.non_responders(scope, campaign.pk)[:50]
        if reads_records(request)
        else None,
        "can_configure": is_admin(request),
        "can_export": _can_export(request),
        "test_form": TestSendForm(),
    }
    return render(request, "distribution/campaign.html", context)


def _can_export(request: ScopedRequest) -> bool:
    scope = request.scope
    return scope.can(Capability.EXPORT) or scope.can(Capability.ACT)


@require_POST
@admin_required
def campaign_action(request: ScopedRequest, campaign_id: int, action: str) -> HttpResponse:
    campaign = selectors.campaign(request.scope, campaign_id)
    if action not in ACTIONS:
        return render(request, "web/error.html", {"message": _("Unknown action.")}, status=400)
    if action in ("launch", "cancel") and not confirm.given(request):
        return confirmations.campaign(request, campaign, action)
    try:
        ACTIONS[action](actor=request.scope, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Campaign updated."))
    return redirect("distribution:campaign", campaign.pk)


@require_POST
@admin_required
def campaign_test_send(request: ScopedRequest, campaign_id: int) -> HttpResponse:
    scope = request.scope
    campaign = selectors.campaign(scope, campaign_id)
    form = TestSendForm(request.POST)
    if form.is_valid():
        key = form.cleaned_data["contact"].strip()
        contact = (
            contact_selectors.visible_contacts(scope)
            .filter(Q(external_id=key) | Q(email__iexact=key))
            .first()
        )
        if contact is None:
            messages.error(request, _("No such contact in your part of the organisation."))
        else:
            services.test_send(actor=scope, campaign=campaign, contact=contact)
            messages.success(request, _("Test invitation queued."))
    return redirect("distribution:campaign", campaign.pk)


@member_required
def campaign_preview(request: ScopedRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign(request.scope, campaign_id)
    email = previews.preview(request.scope, campaign)
    return render(request, "distribution/preview.html", {"campaign": campaign, "email": email})


@xframe_options_sameorigin
@member_required
def campaign_preview_email(request: ScopedRequest, campaign_id: int) -> HttpResponse:
    """The email's own HTML for the preview's sandboxed frame. Emails carry their styles
    inline (mail programs allow nothing else), so this document alone may use inline styles;
    it runs no script at all and only this site may frame it."""
    campaign = selectors.campaign(request.scope, campaign_id)
    answer = HttpResponse(previews.preview(request.scope, campaign)["html"])
    answer["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; "
        "img-src * data:; frame-ancestors 'self'"  # an email's images come from anywhere
    )
    return answer


@member_required
def non_responders_csv(request: ScopedRequest, campaign_id: int) -> StreamingHttpResponse:
    """The silent contacts of a campaign, streamed, for follow-up calls."""
    if not _can_export(request):
        raise Forbidden("Your role does not allow exports.")
    campaign = selectors.campaign(request.scope, campaign_id)
    rows = selectors.non_responders(request.scope, campaign.pk).iterator(chunk_size=2000)
    header = [
        "external_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "unit",
        "status",
        "sent_at",
        "reminders_sent",
    ]

    def lines() -> Iterator[tuple[object, ...]]:
        for invitation in rows:
            contact = invitation.contact
            yield (
                contact.external_id,
                contact.first_name,
                contact.last_name,
                contact.email,
                contact.phone,
                contact.home_unit.name,
                invitation.status,
                invitation.sent_at.isoformat() if invitation.sent_at else "",
                invitation.reminders_sent,
            )

    answer = StreamingHttpResponse(
        spreadsheets.csv_stream(header, lines()), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%d")
    answer["Content-Disposition"] = (
        f'attachment; filename="non-responders-{campaign.pk}-{stamp}.csv"'
    )
    return answer


def _triggers_page(
    request: ScopedRequest, form: TriggerForm | None = None, status: int = 200
) -> HttpResponse:
    scope = request.scope
    builder = trigger_fields.trigger_builder(scope)
    context = {
        "triggers": [
            (t, conditions.describe(t.filters, builder["fields"]))
            for t in selectors.visible_triggers(scope)
        ],
        "can_configure": is_admin(request),
        "builder": builder,
    }
    if context["can_configure"]:
        context["form"] = form or _trigger_form(request)
        context["unit_codes"] = unit_code_suggestions(scope)
    return render(request, "distribution/triggers.html", context, status=status)


def _trigger_form(request: ScopedRequest, data: QueryDict | None = None) -> TriggerForm:
    scope = request.scope
    return TriggerForm(
        data,
        surveys=survey_selectors.visible_surveys(scope, status="live"),
        kinds=contact_selectors.interaction_types(scope, archived=False),
    )


@member_required
def trigger_list(request: ScopedRequest) -> HttpResponse:
    return _triggers_page(request)


@require_POST
@admin_required
def trigger_create(request: ScopedRequest) -> HttpResponse:
    scope = request.scope
    form = _trigger_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        unit = resolve_unit(form, scope, "unit_code") if data["unit_code"] else None
        if not form.errors:
            with domain_errors_on(form):
                triggers.create_trigger(
                    scope,
                    unit or tenancy_selectors.unit(scope, scope.unit_id),
                    survey_selectors.survey(scope, data["survey"]),
                    contact_selectors.interaction_type(scope, data["interaction_type"]),
                    name=data["name"],
                    channel=data["channel"],
                    delay_minutes=data["delay_minutes"],
                    filters=data["filters"],
                )
                messages.success(request, _("Trigger saved."))
                return redirect("distribution:triggers")
    return _triggers_page(request, form=form, status=400)
