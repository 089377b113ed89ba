"""The privacy API's shapes."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema
from pydantic import Field

from voxloop.api.schemas import Input


class RetentionPolicyOut(Schema):
    response_days: int | None = Field(
        None, description="Raw responses (answers, comments) are deleted after this many days."
    )
    comment_days: int | None = Field(
        None, description="Free-text answers are removed after this many days."
    )
    contact_days: int | None = Field(
        None, description="Contacts inactive for this many days are erased."
    )
    audit_days: int | None = Field(
        None, description="Audit entries are deleted after this many days."
    )
    reviewer_name_days: int | None = Field(
        None,
        description="Reviewers' names on online reviews are erased this many days after the "
        "review (text and rating stay); null: the contacts' period.",
    )
    mask_at_capture: bool = Field(
        False, description="Free text is stored masked: no original is kept, for anybody."
    )
    last_applied_at: datetime | None = None


class RetentionPolicyIn(Input):
    """Only the fields sent change; null removes a period (kept until deleted by hand)."""

    response_days: int | None = Field(None, ge=1, le=36500)
    comment_days: int | None = Field(None, ge=1, le=36500)
    contact_days: int | None = Field(None, ge=1, le=36500)
    audit_days: int | None = Field(None, ge=1, le=36500)
    reviewer_name_days: int | None = Field(None, ge=1, le=36500)
    mask_at_capture: bool | None = None


class RetentionPreviewFilters(Schema):
    """Periods to try instead of the saved ones (days); those not given are the saved ones."""

    response_days: int | None = Field(None, ge=1, le=36500)
    comment_days: int | None = Field(None, ge=1, le=36500)
    contact_days: int | None = Field(None, ge=1, le=36500)
    audit_days: int | None = Field(None, ge=1, le=36500)


class RetentionReportOut(Schema):
    cutoffs: dict[str, datetime | None]
    responses: int = Field(description="Raw responses that would be deleted now.")
    comments: int = Field(description="Responses whose free text would be removed now.")
    contacts: int = Field(description="Inactive contacts that would be erased now.")
    audit_entries: int = Field(description="Audit entries that would be deleted now.")


class ErasureOut(Schema):
    contact_id: int
    erased_at: datetime | None
    counts: dict[str, int] = Field(description="Rows changed, by kind (never the data).")
