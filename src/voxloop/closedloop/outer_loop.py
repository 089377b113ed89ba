"""The closed loop's outer part: promoters followed up (advocates, praise for staff) and the
action plans that fix recurring causes. Imported by `closedloop.models`, so every model of the
app is still found there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Advocate(models.Model):
    """A promoter the CX team may ask for a reference, a case study or a review."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit_path = models.CharField(max_length=255, default="")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey("responses.Response", on_delete=models.CASCADE, related_name="+")
    flagged_at = models.DateTimeField()

    class Meta:
        verbose_name = _("advocate")
        verbose_name_plural = _("advocates")
        constraints = [
            models.UniqueConstraint(fields=["organization", "contact"], name="advocate_once")
        ]

    def __str__(self) -> str:
        return str(self.contact)


class Praise(models.Model):
    """A promoter's words about a named staff member, shown to that member's unit."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, default="")
    staff = models.ForeignKey("tenancy.Staff", on_delete=models.CASCADE, related_name="+")
    response = models.OneToOneField(
        "responses.Response", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField(blank=True)
    score = models.PositiveSmallIntegerField(null=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("praise")
        verbose_name_plural = _("praise")
        ordering = ["-at"]
        indexes = [models.Index(fields=["organization", "unit_path"], name="praise_org_path")]

    def __str__(self) -> str:
        return f"{self.staff}: {self.text[:60]}"


class ActionPlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class ActionPlan(models.Model):
    """The outer loop: a fix for a recurring cause, and whether the score moved after it."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="action_plans"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, default="")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    root_cause = models.ForeignKey(
        "closedloop.RootCause", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    theme = models.CharField(_("theme"), max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionPlanStatus.choices, default="planned"
    )
    metric = models.CharField(_("metric"), max_length=10, default="nps")
    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    target = models.FloatField(_("target"), null=True, blank=True)
    starts_on = models.DateField(_("start date"))
    window_days = models.PositiveSmallIntegerField(_("comparison window (days)"), default=90)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ActionTask(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    done = models.BooleanField(_("done"), default=False)

    class Meta:
        verbose_name = _("action plan task")
        verbose_name_plural = _("action plan tasks")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title
