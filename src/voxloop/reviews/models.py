"""Online reviews: the sources they are fetched from (a connector with its encrypted
credentials, schedule, cursor and location → unit mapping), the reviews themselves with their
edit history, and the replies staff draft and post."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SourceKind(models.TextChoices):
    GOOGLE = "google_business", _("Google Business Profile")
    APP_STORE = "app_store", _("Apple App Store")
    GOOGLE_PLAY = "google_play", _("Google Play")
    TRUSTPILOT = "trustpilot", _("Trustpilot")
    YELP = "yelp", _("Yelp")
    FILE = "file", _("File import (CSV, XLSX, JSON)")


class ReviewSource(models.Model):
    """One connector with its credentials, schedule and cursor, placed at a unit: its admins
    configure it, and its locations map to units of that subtree."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("connector"), max_length=20, choices=SourceKind.choices)
    # Fernet token of a JSON object (`voxloop.sealing`); never shown back in full.
    credentials = models.TextField(blank=True, default="", editable=False)
    # The provider's API address; only changed for a self-hosted proxy or in tests.
    base_url = models.CharField(_("API address"), max_length=500, blank=True, default="")
    interval_minutes = models.PositiveIntegerField(_("fetch every (minutes)"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    is_competitor = models.BooleanField(_("competitor listing"), default=False)
    # {"location": index, "page": token, "started": iso time} while a pass is under way.
    cursor = models.JSONField(default=dict, blank=True)
    next_fetch_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(_("last fetched"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review source")
        verbose_name_plural = _("review sources")
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_fetch_at"], name="reviewsource_due")]

    def __str__(self) -> str:
        return self.name


class SourceLocation(models.Model):
    """A provider's location or app id and the unit its reviews belong to."""

    source = models.ForeignKey(ReviewSource, on_delete=models.CASCADE, related_name="locations")
    external_id = models.CharField(_("provider id"), max_length=300)
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    label = models.CharField(_("label"), max_length=200, blank=True, default="")
    # Where people leave or read a review of this location (copy-and-open replies).
    public_url = models.CharField(_("public page"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("source location")
        verbose_name_plural = _("source locations")
        ordering = ["source_id", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="sourcelocation_once")
        ]

    def __str__(self) -> str:
        return self.label or self.external_id


class Review(models.Model):
    """One review as the provider shows it now; what it said before is in `versions`."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    source = models.ForeignKey(ReviewSource, on_delete=models.CASCADE, related_name="reviews")
    location = models.ForeignKey(
        SourceLocation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, default="")
    external_id = models.CharField(max_length=300)
    # Personal data: erased on request and after the retention period (`reviews.forgetting`).
    author_name = models.CharField(_("author"), max_length=200, blank=True, default="")
    rating = models.PositiveSmallIntegerField(_("rating"))  # 1–5 whatever the provider's scale
    title = models.CharField(_("title"), max_length=500, blank=True, default="")
    text = models.TextField(_("text"), blank=True, default="")
    language = models.CharField(_("language"), max_length=12, blank=True, default="")
    posted_at = models.DateTimeField(_("posted"))
    edited_at = models.DateTimeField(_("edited"), null=True, blank=True)
    reply_text = models.TextField(_("owner reply"), blank=True, default="")
    reply_at = models.DateTimeField(_("replied"), null=True, blank=True)
    url = models.CharField(_("link"), max_length=1000, blank=True, default="")
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # What the provider said last, hashed: a fetch that changes nothing writes nothing.
    digest = models.CharField(max_length=32, default="")
    # When a fetch last saw it: a complete pass that did not is how a removal shows.
    seen_at = models.DateTimeField()
    sentiment = models.CharField(_("sentiment"), max_length=10, blank=True, default="")
    sentiment_score = models.FloatField(null=True, blank=True)
    themes = models.JSONField(default=list, blank=True)  # [{"key", "name", "sentiment"}]
    analysed_digest = models.CharField(max_length=32, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-posted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="review_once")
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path", "posted_at"], name="review_scope"),
            models.Index(fields=["source", "seen_at"], name="review_seen"),
            # The panel's replied figures read only the replied reviews (decision 0050).
            models.Index(
                fields=["organization", "posted_at"],
                include=["unit_path", "rating", "source", "reply_at"],
                condition=models.Q(removed_at__isnull=True)
                & (~models.Q(reply_text="") | models.Q(reply_at__isnull=False)),
                name="review_replied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.title or self.text[:40]}"

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None


class ReviewVersion(models.Model):
    """What a review said before an edit (the reviewer's or the owner's reply)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="versions")
    author_name = models.CharField(max_length=200, blank=True, default="")
    rating = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=500, blank=True, default="")
    text = models.TextField(blank=True, default="")
    edited_at = models.DateTimeField(null=True, blank=True)
    reply_text = models.TextField(blank=True, default="")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("earlier version")
        verbose_name_plural = _("earlier versions")
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.rating}★ {self.recorded_at:%Y-%m-%d}"


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("reply", "Draft")
    POSTED = "posted", pgettext_lazy("reply", "Posted")
    COPIED = "copied", pgettext_lazy("reply", "To post by hand")
    FAILED = "failed", pgettext_lazy("reply", "Failed")


class ReviewReply(models.Model):
    """A reply a manager wrote (from a playbook or by hand) and what became of it."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="replies")
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(_("reply"))
    language = models.CharField(max_length=12, blank=True, default="")
    status = models.CharField(max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    case_id = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    posted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("review reply")
        verbose_name_plural = _("review replies")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.text[:40]}"


class InvitationFollowed(models.Model):
    """A respondent followed a review invitation's link (once per response): how many of
    those invited went on to the public review page."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit_path = models.CharField(max_length=255, default="")
    response_id = models.PositiveIntegerField()
    followed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("review invitation followed")
        verbose_name_plural = _("review invitations followed")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "response_id"], name="invitation_followed_once"
            )
        ]

    def __str__(self) -> str:
        return f"response {self.response_id} · {self.followed_at:%Y-%m-%d}"
