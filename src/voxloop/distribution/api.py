"""Outreach over the API: campaigns, triggers, web widgets, invitations, statistics and the
policy."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status

from voxloop.api.context import actor
from voxloop.api.pages import listing, page
from voxloop.api.schemas import Id, ListQuery
from voxloop.contacts import selectors as contact_selectors
from voxloop.contacts.models import Segment
from voxloop.distribution import selectors, services
from voxloop.distribution.campaigns import preview, triggers
from voxloop.distribution.delivery.policy import policy_for
from voxloop.distribution.models import Campaign, OutreachPolicy, Trigger, Widget
from voxloop.distribution.schemas import (
    IDENTITY_HASH,
    CampaignIn,
    CampaignList,
    CampaignOut,
    CampaignPatch,
    InvitationFilters,
    InvitationPage,
    PolicyIn,
    PolicyOut,
    PreviewOut,
    SmsHookOut,
    StatsFilters,
    StatsRow,
    TestSendIn,
    TriggerIn,
    TriggerList,
    TriggerOut,
    TriggerPatch,
    WidgetIdentityOut,
    WidgetIn,
    WidgetOut,
    WidgetPatch,
    sms_hook_urls,
)
from voxloop.distribution.sms import hooks
from voxloop.distribution.widget import services as widgets
from voxloop.distribution.widget import visits
from voxloop.errors import NotFound
from voxloop.surveys import selectors as survey_selectors
from voxloop.surveys.models import Survey
from voxloop.tenancy import selectors as tenancy_selectors
from voxloop.tenancy.models import OrgUnit
from voxloop.tenancy.scoping import Scope

router = Router(tags=["outreach"])


def _unit(scope: Scope, code: str | None) -> OrgUnit:
    return tenancy_selectors.unit_named_by(scope, code)


def _survey(scope: Scope, survey_id: Id) -> Survey:
    try:
        return survey_selectors.survey(scope, survey_id)
    except NotFound:
        raise NotFound("No such survey.", field="survey_id") from None


@router.get("/campaigns", response=list[CampaignOut], url_name="campaigns")
def list_campaigns(request: HttpRequest, query: Query[CampaignList]) -> list[Campaign]:
    campaigns = selectors.visible_campaigns(actor(request), status=query.status or "")
    return listing(request, campaigns, query)


def _segment(scope: Scope, segment_id: int) -> Segment:
    try:
        return contact_selectors.segment(scope, segment_id)
    except NotFound:
        raise NotFound("No such segment.", field="segment_id") from None


@router.post("/campaigns", response={201: CampaignOut}, url_name="campaign_create")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    scope = actor(request)
    fields = payload.model_dump(exclude={"survey_id", "segment_id", "unit_code"})
    segment = _segment(scope, payload.segment_id) if payload.segment_id else None
    campaign = services.create_campaign(
        actor=scope,
        unit=_unit(scope, payload.unit_code),
        survey=_survey(scope, payload.survey_id),
        segment=segment,
        **fields,
    )
    return Status(201, campaign)


@router.get("/campaigns/{int:campaign_id}", response=CampaignOut, url_name="campaign")
def get_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return selectors.campaign(actor(request), campaign_id)


@router.patch("/campaigns/{int:campaign_id}", response=CampaignOut, url_name="campaign_update")
def update_campaign(request: HttpRequest, campaign_id: Id, payload: CampaignPatch) -> Campaign:
    """Change a draft campaign (409 once launched: pause or cancel it instead)."""
    scope = actor(request)
    campaign = selectors.campaign(scope, campaign_id)
    fields = payload.changes()
    survey_id, segment_id = fields.pop("survey_id", None), fields.pop("segment_id", None)
    if "send_at" in fields:
        fields["send_at"] = payload.send_at
    return services.update_campaign(
        actor=scope,
        campaign=campaign,
        survey=_survey(scope, survey_id) if survey_id else None,
        segment=_segment(scope, segment_id) if segment_id else None,
        clear_segment=segment_id == 0,
        fields=fields,
    )


@router.delete("/campaigns/{int:campaign_id}", response={204: None}, url_name="campaign_delete")
def delete_campaign(request: HttpRequest, campaign_id: Id) -> Status:
    """Delete a draft that invited nobody (409 otherwise: cancel it, its history stays)."""
    scope = actor(request)
    services.delete_campaign(actor=scope, campaign=selectors.campaign(scope, campaign_id))
    return Status(204, None)


def _act(request: HttpRequest, campaign_id: Id, action: Callable[..., Campaign]) -> Campaign:
    scope = actor(request)
    return action(actor=scope, campaign=selectors.campaign(scope, campaign_id))


@router.post(
    "/campaigns/{int:campaign_id}/launch", response=CampaignOut, url_name="campaign_launch"
)
def launch_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _act(request, campaign_id, services.launch)


@router.post("/campaigns/{int:campaign_id}/pause", response=CampaignOut, url_name="campaign_pause")
def pause_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _act(request, campaign_id, services.pause)


@router.post(
    "/campaigns/{int:campaign_id}/resume", response=CampaignOut, url_name="campaign_resume"
)
def resume_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _act(request, campaign_id, services.resume)


@router.post(
    "/campaigns/{int:campaign_id}/cancel", response=CampaignOut, url_name="campaign_cancel"
)
def cancel_campaign(request: HttpRequest, campaign_id: Id) -> Campaign:
    return _act(request, campaign_id, services.cancel)


@router.post(
    "/campaigns/{int:campaign_id}/test-send", response={202: dict}, url_name="campaign_test_send"
)
def test_send(request: HttpRequest, campaign_id: Id, payload: TestSendIn) -> Status:
    scope = actor(request)
    campaign = selectors.campaign(scope, campaign_id)
    try:
        contact = contact_selectors.contact(scope, payload.contact_id)
    except NotFound:
        raise NotFound("No such contact.", field="contact_id") from None
    invitation = services.test_send(actor=scope, campaign=campaign, contact=contact)
    return Status(202, {"invitation": invitation.ref})


@router.get(
    "/campaigns/{int:campaign_id}/preview", response=PreviewOut, url_name="campaign_preview"
)
def preview_campaign(request: HttpRequest, campaign_id: Id) -> dict:
    scope = actor(request)
    return preview.preview(scope=scope, campaign=selectors.campaign(scope, campaign_id))


@router.get("/triggers", response=list[TriggerOut], url_name="triggers")
def list_triggers(request: HttpRequest, query: Query[TriggerList]) -> list[Trigger]:
    return listing(request, selectors.visible_triggers(actor(request)), query)


@router.post("/triggers", response={201: TriggerOut}, url_name="trigger_create")
def create_trigger(request: HttpRequest, payload: TriggerIn) -> Status:
    scope = actor(request)
    unit = _unit(scope, payload.unit_code)
    types = list(contact_selectors.interaction_types(scope, archived=False))
    kind = contact_selectors.interaction_type_at(types, payload.interaction_type, unit.path)
    if kind is None:
        raise NotFound(
            "No interaction type with this key applies at the trigger's unit.",
            field="interaction_type",
        )
    trigger = triggers.create_trigger(
        actor=scope,
        unit=unit,
        survey=_survey(scope, payload.survey_id),
        interaction_type=kind,
        name=payload.name,
        channel=payload.channel,
        delay_minutes=payload.delay_minutes,
        expires_after_days=payload.expires_after_days,
        filters=payload.filters,
    )
    return Status(201, trigger)


@router.get("/triggers/{int:trigger_id}", response=TriggerOut, url_name="trigger")
def get_trigger(request: HttpRequest, trigger_id: Id) -> Trigger:
    return selectors.trigger(actor(request), trigger_id)


@router.patch("/triggers/{int:trigger_id}", response=TriggerOut, url_name="trigger_update")
def update_trigger(request: HttpRequest, trigger_id: Id, payload: TriggerPatch) -> Trigger:
    """Change a trigger of your subtree; `is_active: false` stops it inviting."""
    scope = actor(request)
    trigger = selectors.trigger(scope, trigger_id)
    fields = payload.changes()
    active, survey_id = fields.pop("is_active", None), fields.pop("survey_id", None)
    survey = _survey(scope, survey_id) if survey_id else None
    if fields or survey is not None:
        trigger = triggers.update_trigger(
            actor=scope, trigger=trigger, survey=survey, fields=fields
        )
    if active is not None and active != trigger.is_active:
        trigger = triggers.set_trigger_active(actor=scope, trigger=trigger, active=active)
    return trigger


@router.delete("/triggers/{int:trigger_id}", response={204: None}, url_name="trigger_delete")
def delete_trigger(request: HttpRequest, trigger_id: Id) -> Status:
    """Delete a trigger that invited nobody (409 otherwise: deactivate it)."""
    scope = actor(request)
    triggers.delete_trigger(actor=scope, trigger=selectors.trigger(scope, trigger_id))
    return Status(204, None)


@router.get("/invitations", response=InvitationPage, url_name="invitations")
def list_invitations(request: HttpRequest, filters: Query[InvitationFilters]) -> dict:
    invitations = selectors.visible_invitations(
        actor(request), filters.campaign, filters.status
    ).order_by("-pk")
    return page(invitations, filters, request=request)


@router.get("/outreach/stats", response=list[StatsRow], url_name="outreach_stats")
def outreach_stats(request: HttpRequest, filters: Query[StatsFilters]) -> list[dict]:
    """Invited → completed per campaign, channel, segment, unit, trigger, day, week or month;
    response rate = completed / delivered. Only invitations to contacts in your scope."""
    return selectors.outreach_stats(
        actor(request), filters.by, filters.since, filters.until, filters.campaign
    )


@router.get("/outreach/policy", response=PolicyOut, url_name="outreach_policy")
def get_policy(request: HttpRequest) -> dict:
    return _policy_out(policy_for(actor(request).organization_id))


@router.patch("/outreach/policy", response=PolicyOut, url_name="outreach_policy_update")
def update_policy(request: HttpRequest, payload: PolicyIn) -> dict:
    """`segment_rules`, when given, replaces the rules per segment (tier, persona): each sets
    its own gap and cap, and `ask_by` 'owner' sends from the account owner. A contact in
    several such segments gets the strictest."""
    values = payload.model_dump(exclude_none=True)
    rules = values.pop("segment_rules", None)
    scope = actor(request)
    with transaction.atomic():
        if values or rules is None:
            services.update_policy(actor=scope, **values)
        if rules is not None:
            services.replace_segment_rules(actor=scope, rules=rules)
    return _policy_out(policy_for(scope.organization_id))


def _policy_out(policy: OutreachPolicy) -> dict:
    out = {name: getattr(policy, name) for name in PolicyOut.model_fields if hasattr(policy, name)}
    out["segment_rules"] = selectors.segment_rules(policy.organization_id)
    return out


def _widget_out(widget: Widget) -> dict:
    base = settings.BASE_URL.rstrip("/")
    out = {name: getattr(widget, name) for name in WidgetOut.model_fields if hasattr(widget, name)}
    out["loader_url"] = base + reverse("distribution:widget_loader", args=[widget.key])
    out["snippet"] = visits.snippet(widget, base)
    return out


@router.get("/widgets", response=list[WidgetOut], url_name="widgets")
def list_widgets(request: HttpRequest, query: Query[ListQuery]) -> list[dict]:
    return listing(request, selectors.visible_widgets(actor(request)), query, _widget_out)


@router.post("/widgets", response={201: WidgetOut}, url_name="widget_create")
def create_widget(request: HttpRequest, payload: WidgetIn) -> Status:
    scope = actor(request)
    fields = payload.model_dump(exclude={"survey_id", "unit_code"})
    widget = widgets.create_widget(
        actor=scope,
        unit=_unit(scope, payload.unit_code),
        survey=_survey(scope, payload.survey_id),
        **fields,
    )
    return Status(201, _widget_out(widget))


@router.get("/widgets/{int:widget_id}", response=WidgetOut, url_name="widget")
def get_widget(request: HttpRequest, widget_id: Id) -> dict:
    return _widget_out(selectors.widget(actor(request), widget_id))


@router.patch("/widgets/{int:widget_id}", response=WidgetOut, url_name="widget_update")
def update_widget(request: HttpRequest, widget_id: Id, payload: WidgetPatch) -> dict:
    scope = actor(request)
    widget = selectors.widget(scope, widget_id)
    changes = payload.changes()
    active = changes.pop("is_active", None)
    unit = _unit(scope, changes.pop("unit_code")) if "unit_code" in changes else None
    survey = _survey(scope, changes.pop("survey_id")) if "survey_id" in changes else None
    if changes or unit is not None or survey is not None:
        widget = widgets.update_widget(
            actor=scope, widget=widget, unit=unit, survey=survey, **changes
        )
    if active is not None and active != widget.is_active:
        widget = widgets.set_widget_active(actor=scope, widget=widget, active=active)
    return _widget_out(widget)


def _identity(secret: str) -> dict:
    return {"identity_secret": secret, "user_hash": IDENTITY_HASH}


@router.get(
    "/widgets/{int:widget_id}/identity-secret",
    response=WidgetIdentityOut,
    url_name="widget_identity_secret",
)
def get_widget_identity_secret(request: HttpRequest, widget_id: Id) -> dict:
    """The secret your server signs user ids with (admins of the widget's part only)."""
    scope = actor(request)
    widget = selectors.widget(scope, widget_id)
    return _identity(widgets.identity_secret(actor=scope, widget=widget))


@router.post(
    "/widgets/{int:widget_id}/identity-secret/rotate",
    response=WidgetIdentityOut,
    url_name="widget_identity_secret_rotate",
)
def rotate_widget_identity_secret(request: HttpRequest, widget_id: Id) -> dict:
    """A new secret: hashes made with the old one stop working at once."""
    scope = actor(request)
    widget = widgets.rotate_identity_secret(actor=scope, widget=selectors.widget(scope, widget_id))
    return _identity(widget.identity_secret)


@router.get("/outreach/sms-hooks", response=SmsHookOut, url_name="outreach_sms_hooks")
def get_sms_hooks(request: HttpRequest) -> dict:
    """The addresses to give the SMS provider for delivery reports and replies (admins of
    the whole organisation only: the token is the provider's credential)."""
    return sms_hook_urls(hooks.hook_for(actor=actor(request)))


@router.post(
    "/outreach/sms-hooks/rotate", response=SmsHookOut, url_name="outreach_sms_hooks_rotate"
)
def rotate_sms_hooks(request: HttpRequest) -> dict:
    return sms_hook_urls(hooks.rotate_hook(actor=actor(request)))
