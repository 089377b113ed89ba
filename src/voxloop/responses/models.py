"""Responses: every answer captured once, scored and enriched at the moment it arrives, and
the kiosks (capture devices) registered to post their respondents' answers."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
    MOBILE = "mobile", pgettext_lazy("device", "Phone")
    TABLET = "tablet", _("Tablet")
    DESKTOP = "desktop", _("Computer")
    KIOSK = "kiosk", _("Kiosk")
    UNKNOWN = "unknown", _("Unknown")


class Origin(models.TextChoices):
    """Who typed the answer in: the respondent (on their own device, a public page or a
    registered kiosk), or a member of staff (a person's API token or session). Answers
    entered by staff never count in anyone's staff figures."""

    RESPONDENT = "respondent", _("Respondent")
    STAFF = "staff", _("Entered by staff")


# The channels a registered device posts as; a person's credential may claim only `api`
# (and `import`, for admins loading history).
DEVICE_CHANNELS = (Channel.KIOSK, Channel.IVR)


def _untracked_link(to: str) -> models.ForeignKey:
    """Who entered a response, kept as the id even once that row is gone (a revoked
    membership's tokens are deleted): no constraint to check on every insert, no index to
    write, and deleting a membership never scans the responses."""
    return models.ForeignKey(
        to,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
    )


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
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.RESPONDENT)
    # Who posted it through the API: a person (their membership, and the token unless it was
    # their browser session), or a registered kiosk. Empty for respondent pages.
    entered_by = _untracked_link("tenancy.Membership")
    entered_token = _untracked_link("accounts.ApiToken")
    kiosk = _untracked_link("responses.Kiosk")
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


class Kiosk(models.Model):
    """A device an admin registered for a unit (a tablet on a counter, an IVR system): it
    posts its respondents' answers with its own token, as its channel, at its unit or below,
    and can do nothing else. The token is shown once and stored as a SHA-256 digest."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="kiosks"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(c.value, c.label) for c in DEVICE_CHANNELS],
        default=Channel.KIOSK,
    )
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (vxk_{self.prefix}_…)"
