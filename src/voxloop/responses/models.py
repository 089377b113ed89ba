"""Responses: every answer captured once, scored and enriched at the moment it arrives."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_resume_token() -> str:
    return secrets.token_urlsafe(18)


class Channel(models.TextChoices):
    WEB = "web", _("Web link")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    QR = "qr", _("QR code")
    WIDGET = "widget", _("Web widget")
    KIOSK = "kiosk", _("Kiosk")
    API = "api", _("API")
    IVR = "ivr", _("Phone (IVR)")
    IMPORT = "import", _("Import")


class Device(models.TextChoices):
    MOBILE = "mobile", _("Phone")
    TABLET = "tablet", _("Tablet")
    DESKTOP = "desktop", _("Computer")
    KIOSK = "kiosk", _("Kiosk")
    UNKNOWN = "unknown", _("Unknown")


class NpsGroup(models.TextChoices):
    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")


class Response(models.Model):
    # No single-column indexes on these two: the composite indexes below start with them, and
    # every index is one more page written per response.
    organization = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        related_name="responses",
        db_index=False,
    )
    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Copied from the unit so scoped reads are one indexed range on this table.
    unit_path = models.CharField(max_length=255, default="", blank=True)
    staff = models.ForeignKey(
        "tenancy.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # One response per source: "inv:<invitation>" or "idem:<membership>:<key>". A unique
    # constraint, not a check-then-insert, so simultaneous submissions still yield one row.
    source_key = models.CharField(max_length=200, null=True, blank=True)
    resume_token = models.CharField(max_length=32, unique=True, default=new_resume_token)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.WEB)
    device = models.CharField(max_length=10, choices=Device.choices, default=Device.UNKNOWN)
    locale = models.CharField(max_length=10, default="en")
    is_complete = models.BooleanField(default=False)
    answers = models.JSONField(default=dict)
    nps = models.PositiveSmallIntegerField(null=True, blank=True)
    nps_group = models.CharField(max_length=10, choices=NpsGroup.choices, null=True, blank=True)
    csat = models.PositiveSmallIntegerField(null=True, blank=True)
    ces = models.PositiveSmallIntegerField(null=True, blank=True)
    contact_snapshot = models.JSONField(default=dict, blank=True)
    # When its free text was removed (erasure, retention), if it held a comment: the
    # dashboards go on counting that comment, which was made, though it is no longer here.
    comment_removed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "source_key"], name="response_source_unique"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organization", "unit_path", "submitted_at"], name="response_org_path_time"
            ),
            models.Index(fields=["survey", "submitted_at"], name="response_survey_time"),
        ]

    def __str__(self) -> str:
        return f"Response {self.pk} to {self.survey_id}"
