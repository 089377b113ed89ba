"""Health models (the signals an admin chose), scores with their history, the calls to action
a fall across a band opened, and personas and service tiers (decision 0036)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignalKind(models.TextChoices):
    NPS = "nps", _("Relationship NPS")
    NPS_TREND = "nps_trend", _("NPS trend")
    CSAT = "csat", _("CSAT")
    CES = "ces", _("Customer effort (CES)")
    OPEN_CASES = "open_cases", _("Open cases")
    OVERDUE_CASES = "overdue_cases", _("Overdue cases")
    SENTIMENT = "sentiment", _("Comment sentiment")
    SILENCE = "silence", _("Unanswered surveys")
    INTERACTIONS = "interactions", _("Usage events")
    ATTRIBUTE = "attribute", _("Usage or product attribute")
    TENURE = "tenure", _("Tenure")
    RENEWAL = "renewal", _("Days to renewal")


class Mapping(models.TextChoices):
    CURVE = "curve", _("Straight line from bad to good")
    STEPS = "steps", _("Thresholds (0, 50 or 100)")


class HealthModel(models.Model):
    """One per organisation: how its accounts' and contacts' health is worked out."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="health_model"
    )
    name = models.CharField(_("name"), max_length=120, default="Customer health")
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=180)
    red_below = models.PositiveSmallIntegerField(_("red below"), default=40)
    amber_below = models.PositiveSmallIntegerField(_("amber below"), default=70)
    # The follow-up playbook named on a call to action's case (closed loop's, by id).
    playbook_id = models.PositiveIntegerField(null=True, blank=True)
    sla_hours = models.PositiveSmallIntegerField(_("hours to act"), default=48)
    # Bumped on every change: scores made under an older version are recomputed.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("health model")
        verbose_name_plural = _("health models")

    def __str__(self) -> str:
        return self.name


class HealthSignal(models.Model):
    model = models.ForeignKey(HealthModel, on_delete=models.CASCADE, related_name="signals")
    kind = models.CharField(_("signal"), max_length=20, choices=SignalKind.choices)
    # An interaction type's key (usage events) or an attribute's name (attribute, renewal).
    param = models.CharField(_("interaction type or attribute"), max_length=60, blank=True)
    weight = models.FloatField(_("weight"))
    mapping = models.CharField(
        _("mapping"), max_length=10, choices=Mapping.choices, default=Mapping.CURVE
    )
    bad = models.FloatField(_("bad at"))
    good = models.FloatField(_("good at"))

    class Meta:
        verbose_name = _("health signal")
        verbose_name_plural = _("health signals")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["model", "kind", "param"], name="health_signal_once")
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.param}" if self.param else self.kind


class HealthScore(models.Model):
    """The latest score of one account or one contact (exactly one of the two)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255, default="")
    account = models.OneToOneField(
        "contacts.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=5, blank=True, default="")
    # [{"key", "value", "points", "weight"}]: points None = missing.
    parts = models.JSONField(default=list)
    # [{"key", "before", "after", "effect"}] against the score before this one.
    moves = models.JSONField(default=list)
    previous_score = models.FloatField(null=True, blank=True)
    model_version = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "unit_path"], name="health_score_org_path"),
            models.Index(fields=["organization", "band"], name="health_score_band"),
        ]

    def __str__(self) -> str:
        return f"{self.score} ({self.band or '-'})"


class HealthHistory(models.Model):
    """A score as it was on a day (one row per target and day; the day's last computation)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255, default="")
    account = models.ForeignKey(
        "contacts.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    day = models.DateField()
    score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=5, blank=True, default="")
    parts = models.JSONField(default=list)
    moves = models.JSONField(default=list)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day"],
                condition=models.Q(account__isnull=False),
                name="health_history_account_day",
            ),
            models.UniqueConstraint(
                fields=["contact", "day"],
                condition=models.Q(contact__isnull=False),
                name="health_history_contact_day",
            ),
        ]
        indexes = [models.Index(fields=["organization", "day"], name="health_history_org_day")]

    def __str__(self) -> str:
        return f"{self.day}: {self.score}"


class CallToAction(models.Model):
    """An account's fall across a band, and the case it opened for the account's owner. One
    row per fall, keyed by the day the score fell and the band it fell to, so however often
    the score is recomputed, or by however many workers, one fall opens one case."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255, default="")
    account = models.ForeignKey("contacts.Account", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    from_band = models.CharField(max_length=5)
    to_band = models.CharField(max_length=5)
    score = models.FloatField()
    case_id = models.PositiveIntegerField(null=True, blank=True)  # the closed loop's row
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day", "to_band"], name="health_cta_once_per_fall"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day}: {self.from_band} → {self.to_band}"


class AudienceKind(models.TextChoices):
    PERSONA = "persona", _("Persona")
    TIER = "tier", _("Service tier")


class Audience(models.Model):
    """A persona or a service tier: a name and a kind over a contacts segment, whose rules
    (on contact and account attributes) say who belongs (decision 0036)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    kind = models.CharField(_("kind"), max_length=10, choices=AudienceKind.choices)
    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    segment = models.ForeignKey(
        "contacts.Segment", on_delete=models.PROTECT, related_name="+", verbose_name=_("segment")
    )

    class Meta:
        verbose_name = _("persona or tier")
        verbose_name_plural = _("personas and tiers")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "name"], name="health_audience_name"
            )
        ]
        indexes = [models.Index(fields=["organization", "unit_path"], name="audience_org_path")]

    def __str__(self) -> str:
        return self.name
