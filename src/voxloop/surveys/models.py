"""Surveys and their questions: multilingual texts, scales, choices and display logic.

Answers are stored by each question's stable `key`, so editing a live survey (rewording,
reordering, adding questions) never scrambles responses already given.
"""

import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_public_slug() -> str:
    return secrets.token_urlsafe(12)


def new_revision() -> str:
    return secrets.token_hex(8)


class SurveyKind(models.TextChoices):
    RELATIONSHIP = "relationship", _("Relationship")
    TRANSACTIONAL = "transactional", _("Transactional")
    EMPLOYEE = "employee", _("Employee (anonymous)")
    KIOSK = "kiosk", _("Kiosk")


# Surveys whose answers are anonymous: kept without contact, staff or invitation, and shown
# only under the anonymity rule (decisions 0003 and 0016). The one place that says which.
ANONYMOUS_KINDS = (SurveyKind.EMPLOYEE,)


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LIVE = "live", _("Live")
    CLOSED = "closed", _("Closed")


class Survey(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="surveys"
    )
    # The unit that owns the survey: its admins edit it; responses may come from anywhere below.
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="surveys")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=SurveyKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    public_slug = models.CharField(max_length=32, unique=True, default=new_public_slug)
    default_locale = models.CharField(_("default language"), max_length=10, default="en")
    locales = models.JSONField(_("languages"), default=list)
    # {"title": {locale: text}, "intro": {...}, "thank_you": {...}, "closed": {...}}
    texts = models.JSONField(default=dict, blank=True)
    # {"logo_url": str, "colour": "#0a6", "sender_name": {locale: text}}
    branding = models.JSONField(default=dict, blank=True)
    # Thank-you branches: [{"when": <condition>, "text": {locale: text}, "link": url}]
    thank_you_branches = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Changes whenever the survey or any of its questions does, so a process may keep the
    # definition in memory and know with one tiny read whether it is still current. Random,
    # not a counter: a save from an instance read earlier must never bring back a value that
    # an older definition was cached under.
    revision = models.CharField(max_length=16, default=new_revision, editable=False)
    # A test survey never counts in the figures of all surveys (nor does a draft).
    is_test = models.BooleanField(
        _("test survey"),
        default=False,
        help_text=_("Its answers are left out of the figures for all surveys."),
    )
    # The headline of its programme (customer or employee): the KPI cards of all surveys show
    # this survey's figures instead of pooling different questionnaires.
    is_primary = models.BooleanField(
        _("headline survey"),
        default=False,
        help_text=_("The survey whose figures head the dashboard for all surveys."),
    )

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        indexes = [models.Index(fields=["organization", "unit_path"], name="survey_org_path")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.revision = new_revision()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "revision"}
        super().save(*args, **kwargs)

    @property
    def is_anonymous(self) -> bool:
        return self.kind in ANONYMOUS_KINDS


def programme_kinds(kind: str) -> tuple[str, ...]:
    """The survey kinds of one programme: employee (anonymous) surveys, or customer ones."""
    if kind in ANONYMOUS_KINDS:
        return tuple(ANONYMOUS_KINDS)
    return tuple(k for k in SurveyKind.values if k not in ANONYMOUS_KINDS)


class QuestionType(models.TextChoices):
    NPS = "nps", _("Net Promoter Score (0–10)")
    CSAT = "csat", _("Satisfaction (1–5)")
    CES = "ces", _("Customer effort (1–7)")
    RATING = "rating", _("Rating (1–N)")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    DROPDOWN = "dropdown", _("Dropdown")
    YES_NO = "yes_no", _("Yes / no")
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    MATRIX = "matrix", _("Rating matrix")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=60)
    type = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    position = models.PositiveIntegerField(default=0)
    required = models.BooleanField(_("required"), default=False)
    # {"title": {locale: text}, "help": {locale: text}, "low": {...}, "high": {...}}
    texts = models.JSONField(default=dict)
    # Type-specific: {"scale": 5, "style": "stars"}, {"choices": [{"key", "label": {...}}],
    # "allow_other": true}, {"rows": [{"key", "label"}], "scale": 5}, {"max_length": 500}
    config = models.JSONField(default=dict, blank=True)
    # {"all"|"any": [{"question": key, "op": "lte", "value": 6}]}; empty = always shown
    show_if = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "key"], name="question_key_unique"),
        ]
        ordering = ["survey", "position", "id"]

    def __str__(self) -> str:
        return self.key
