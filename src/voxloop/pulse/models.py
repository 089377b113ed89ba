"""Pulse programmes: short recurring employee surveys (eNPS plus a rotating set of engagement
drivers) sent in waves to a unit's subtree. Answers are anonymous: an `Answer` holds no
person, no invitation and no time of its own; who still owes an answer is kept apart, on the
`Invite`, only so that one reminder can be sent. Decision 0042."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

MIN_FLOOR = 5


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class Kind(models.TextChoices):
    ENPS = "enps", _("eNPS (0–10)")
    DRIVER = "driver", _("Engagement driver (1–5)")


class Driver(models.TextChoices):
    RECOGNITION = "recognition", _("Recognition")
    TOOLS = "tools", _("Tools")
    GROWTH = "growth", _("Growth")
    MANAGER = "manager", _("Manager support")
    WORKLOAD = "workload", _("Workload")


class Category(models.TextChoices):
    ISSUE = "issue", _("Customer issue")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Something customers like")


# The default question bank, stored in English and shown in the answerer's language through
# the catalogues; wording an admin typed is shown as typed.
ENPS_TEXT = gettext_noop("How likely are you to recommend working here to a friend?")
DRIVER_TEXTS = {
    Driver.RECOGNITION: gettext_noop("I get recognition when I do good work."),
    Driver.TOOLS: gettext_noop("I have the tools I need to do my job well."),
    Driver.GROWTH: gettext_noop("I have opportunities to learn and grow here."),
    Driver.MANAGER: gettext_noop("My manager supports me."),
    Driver.WORKLOAD: gettext_noop("My workload is manageable."),
}
BUILT_IN_TEXTS = frozenset([ENPS_TEXT, *DRIVER_TEXTS.values()])


class Programme(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    cadence = models.CharField(
        _("cadence"), max_length=10, choices=Cadence.choices, default=Cadence.MONTHLY
    )
    drivers_per_wave = models.PositiveSmallIntegerField(_("drivers per wave"), default=2)
    reminder_after_days = models.PositiveSmallIntegerField(
        _("reminder after (days, 0 for none)"), default=3
    )
    floor = models.PositiveSmallIntegerField(_("anonymity floor"), default=MIN_FLOOR)
    is_active = models.BooleanField(_("active"), default=True)
    next_wave_at = models.DateTimeField(_("next wave"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pulse programme")
        verbose_name_plural = _("pulse programmes")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "unit_path"], name="pulse_scope")]

    def __str__(self) -> str:
        return self.name


class Question(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    driver = models.CharField(
        _("driver"), max_length=12, choices=Driver.choices, blank=True, default=""
    )
    text = models.CharField(_("question"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pulse question")
        verbose_name_plural = _("pulse questions")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def shown_text(self) -> str:
        """The question in the active language when it is a built-in one."""
        return gettext(self.text) if self.text in BUILT_IN_TEXTS else self.text


class Wave(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="waves")
    number = models.PositiveIntegerField()
    opened_at = models.DateTimeField()
    # The question ids this wave asks: eNPS and the drivers whose turn it is.
    question_ids = models.JSONField(default=list)
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    invited = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pulse wave")
        verbose_name_plural = _("pulse waves")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="pulse_wave_number")
        ]

    def __str__(self) -> str:
        return f"{self.programme} #{self.number}"


class Invite(models.Model):
    """Who was asked in a wave and whether they answered: for the reminder only. Nothing
    ties it to the answer (no id, no time)."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=48, unique=True)
    answered = models.BooleanField(default=False)
    reminded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("pulse invitation")
        verbose_name_plural = _("pulse invitations")
        constraints = [models.UniqueConstraint(fields=["wave", "user"], name="pulse_invite_once")]

    def __str__(self) -> str:
        return f"invite to {self.wave}"


class Answer(models.Model):
    """One anonymous answer: the wave, the answerer's unit, the scores and a masked comment."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="answers")
    unit_path = models.CharField(max_length=255, default="")
    enps = models.PositiveSmallIntegerField(null=True, blank=True)
    # {question id: 1–5}
    drivers = models.JSONField(default=dict)
    comment = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("pulse answer")
        verbose_name_plural = _("pulse answers")
        indexes = [models.Index(fields=["wave", "unit_path"], name="pulse_answer_unit")]

    def __str__(self) -> str:
        return f"answer to {self.wave_id}"


class Report(models.Model):
    """The voice of the employee about customers: an issue or suggestion a frontline employee
    reported with a pulse answer, for the unit's managers. No person is stored with it."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reports")
    wave_number = models.PositiveIntegerField(default=0)
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=255, default="")
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    text = models.TextField(_("report"))
    plan = models.ForeignKey(
        "closedloop.ActionPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The day only (the wave's), not the time it was written.
    reported_on = models.DateField()

    class Meta:
        verbose_name = _("frontline report")
        verbose_name_plural = _("frontline reports")
        ordering = ["-reported_on", "category", "text"]
        indexes = [models.Index(fields=["organization", "unit_path"], name="pulse_report_scope")]

    def __str__(self) -> str:
        return self.text[:60]
