"""360 feedback: a cycle (HR's), its competencies, its subjects, the raters invited for each
subject, and their answers. Decision 0043.

Who answered and what they answered are kept apart on purpose: `Invitation` knows the rater
and only whether they answered (no time); `Answer` knows the subject and the rater's group,
never the rater nor when. Nothing a report reads can lead back from an answer to a person."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Relationship(models.TextChoices):
    SELF = "self", _("Self")
    MANAGER = "manager", _("Manager")
    PEER = "peer", _("Peers")
    REPORT = "report", _("Direct reports")
    CUSTOMER = "customer", _("Customers")


# Groups whose answers are anonymous and need a floor; self and manager are shown as such.
ANONYMOUS_GROUPS = (Relationship.PEER, Relationship.REPORT, Relationship.CUSTOMER)
DEFAULT_FLOORS = {group.value: 3 for group in ANONYMOUS_GROUPS}
SCALE = (1, 5)


class Cycle(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    deadline = models.DateField(_("deadline"))
    remind_days_before = models.PositiveSmallIntegerField(_("reminder (days before)"), default=3)
    # The smallest group of anonymous raters shown separately, per group.
    floors = models.JSONField(default=dict)
    include_customers = models.BooleanField(_("invite customers"), default=False)
    is_open = models.BooleanField(default=True)
    invitations_sent = models.BooleanField(default=False)
    reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("360 feedback cycle")
        verbose_name_plural = _("360 feedback cycles")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "unit_path"], name="f360_cycle_scope")]

    def __str__(self) -> str:
        return self.name

    def floor(self, group: str) -> int:
        return max(1, int((self.floors or {}).get(group, DEFAULT_FLOORS.get(group, 1))))


class Competency(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="competencies")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("competency"), max_length=200)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class Subject(models.Model):
    """A person the cycle gives feedback to, at the unit of their membership."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="subjects")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    # HR showed the report early: answering stops for this subject (no live differencing).
    released = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="f360_subject_once")]

    def __str__(self) -> str:
        return self.name


class Invitation(models.Model):
    """One rater asked about one subject: who, in which group, and whether they answered.
    No time of answering is kept (it would pair the invitation with its answer)."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="invitations")
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    contact_id = models.BigIntegerField(null=True, blank=True)
    email = models.EmailField(blank=True, default="")
    language = models.CharField(max_length=12, blank=True, default="")
    answered = models.BooleanField(default=False)
    sent = models.BooleanField(default=False)
    reminded = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("rater invitation")
        verbose_name_plural = _("rater invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["subject", "user"],
                condition=models.Q(user__isnull=False),
                name="f360_rater_once",
            ),
            models.UniqueConstraint(
                fields=["subject", "contact_id"],
                condition=models.Q(contact_id__isnull=False),
                name="f360_customer_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_relationship_display()} → {self.subject_id}"


class Answer(models.Model):
    """One rater's answer: the subject and the group, no rater and no time."""

    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="answers")
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    comment = models.TextField(blank=True, default="")

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self) -> str:
        return f"answer about {self.subject_id}"


class Rating(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="+")
    value = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")

    def __str__(self) -> str:
        return f"{self.value}"
