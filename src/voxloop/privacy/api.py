"""Privacy over the API: the organisation's retention and masking settings, and what
retention would remove now. Erasing and exporting a person are under /contacts."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from voxloop.api.context import actor
from voxloop.privacy import retention, services
from voxloop.privacy.models import PrivacyPolicy
from voxloop.privacy.schemas import (
    RetentionPolicyIn,
    RetentionPolicyOut,
    RetentionPreviewFilters,
    RetentionReportOut,
)
from voxloop.privacy.selectors import policy_of
from voxloop.tenancy.scoping import Capability

router = Router(tags=["privacy"])


@router.get("/privacy/policy", response=RetentionPolicyOut, url_name="privacy_policy")
def get_policy(request: HttpRequest) -> PrivacyPolicy:
    """How long the organisation keeps personal data; every member may read it."""
    return policy_of(actor(request).organization_id)


@router.patch("/privacy/policy", response=RetentionPolicyOut, url_name="privacy_policy_update")
def update_policy(request: HttpRequest, payload: RetentionPolicyIn) -> PrivacyPolicy:
    """Admins at the organisation's top unit. See what a shorter period would delete first
    with GET /privacy/retention."""
    values = payload.model_dump(exclude_unset=True)
    return services.update_policy(actor=actor(request), **values)


@router.get("/privacy/retention", response=RetentionReportOut, url_name="privacy_retention")
def retention_preview(request: HttpRequest, filters: Query[RetentionPreviewFilters]) -> dict:
    """Dry run: what the saved periods (or those given here) would remove now."""
    scope = actor(request)
    services.require_whole_organisation(actor=scope, capability=Capability.CONFIGURE)
    periods = policy_of(scope.organization_id).periods
    periods.update(filters.model_dump(exclude_none=True))
    services.check_periods(values=filters.model_dump(exclude_none=True))
    report = retention.report(organization_id=scope.organization_id, periods=periods)
    return {"cutoffs": report.cutoffs, **report.counts}
