"""Customer journeys: ordered stages, each with ordered touchpoints tied to what measures them.

A touchpoint names the moment by an interaction type (its volume: "ticket closed", "delivery")
and how the experience there is measured: a whole survey, one question of a survey, or a review
source. Either may be missing (a stage can be a step with events but no survey, or a review
page with no event). A journey may be a persona's variant of another: it names a contacts
segment, and its figures then count that segment's members only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureKind(models.TextChoices):
    NONE = "", _("Not measured")
    SURVEY = "survey", _("Survey")
    QUESTION = "question", _("One question of a survey")
    REVIEWS = "reviews", _("Review source")


class Journey(models.Model):
    """A journey owned by a unit: its admins edit it; everyone at or below it sees it, with
    figures counted in their own subtree only."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    # The name in other languages: {locale: text}; `name` is the default language's.
    names = models.JSONField(_("translations"), default=dict, blank=True)
    description = models.TextField(_("description"), blank=True, default="")
    # A persona's variant: only this segment's members count (contacts.Segment, by id through
    # contacts.selectors so a deleted segment leaves the journey readable).
    segment_id = models.PositiveIntegerField(_("persona segment"), null=True, blank=True)
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        verbose_name=_("variant of"),
    )
    # The relationship survey whose NPS the journey analytics explain (None: none chosen).
    relationship_survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("relationship survey"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        indexes = [models.Index(fields=["organization", "unit_path"], name="journey_org_path")]
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("translations"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["journey", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Touchpoint(models.Model):
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="touchpoints")
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("translations"), default=dict, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    interaction_type = models.ForeignKey(
        "contacts.InteractionType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interaction type"),
    )
    measure = models.CharField(
        _("measured by"), max_length=10, choices=MeasureKind.choices, blank=True, default=""
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("survey"),
    )
    question_key = models.CharField(_("question"), max_length=60, blank=True, default="")
    review_source = models.ForeignKey(
        "reviews.ReviewSource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review source"),
    )

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
        ordering = ["stage", "position", "id"]

    def __str__(self) -> str:
        return self.name
