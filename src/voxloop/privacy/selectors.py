"""Reads of the privacy settings."""

from __future__ import annotations

from voxloop.privacy.models import PrivacyPolicy
from voxloop.recent import Recent

# The capture path asks on every response whether to mask: held like the other capture reads
# (decision 0011) and dropped when the policy changes in this process.
recent_masking = Recent()


def policy_of(organization_id: int) -> PrivacyPolicy:
    """The organisation's policy, or the default one (nothing deleted, nothing masked)."""
    found = PrivacyPolicy.objects.filter(organization_id=organization_id).first()
    return found or PrivacyPolicy(organization_id=organization_id)


def masks_at_capture(organization_id: int) -> bool:
    held = recent_masking.recall(organization_id)
    if held is not None:
        return held
    masks = PrivacyPolicy.objects.filter(
        organization_id=organization_id, mask_at_capture=True
    ).exists()
    recent_masking.remember(organization_id, masks)
    return masks


def policies_with_retention() -> list[PrivacyPolicy]:
    """Every organisation that keeps something for a limited time (the periodic task)."""
    from django.db.models import Q

    limited = Q()
    for name in ("response_days", "comment_days", "contact_days", "audit_days"):
        limited |= Q(**{f"{name}__isnull": False})
    return list(PrivacyPolicy.objects.filter(limited).order_by("organization_id"))
