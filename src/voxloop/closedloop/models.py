"""Closed loop: alert rules, the cases they open, every notification sent about them, the
playbooks for talking to customers and root causes (promoter follow-ups and action plans are in
`outer_loop`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_SLA_HOURS = 48
DEFAULT_SECOND_ESCALATION_HOURS = 24


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class AlertRule(models.Model):
    """When a completed response matches the conditions, open a case and tell the recipients.

    `conditions` is {"match": "all"|"any", "items": [{"field": ..., "op": ..., "value": ...}]}
    (see `conditions.py`); `recipients` is a list such as [{"type": "role", "role": "manager"},
    {"type": "team_lead"}, {"type": "account_owner"}, {"type": "user", "user_id": 7}];
    `webhooks` is a list of {"kind": "slack"|"teams"|"generic", "url": ..., "secret": ...}.
    """

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="alert_rules"
    )
    # The rule applies to responses placed in this unit's subtree.
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)
    # What the rule reads: survey responses, or online reviews (the reviews app's event).
    applies_to = models.CharField(
        _("applies to"),
        max_length=10,
        choices=[("responses", _("Survey responses")), ("reviews", _("Online reviews"))],
        default="responses",
    )
    surveys = models.ManyToManyField("surveys.Survey", blank=True, related_name="+")
    conditions = models.JSONField(_("conditions"), default=dict)
    open_case = models.BooleanField(_("open a case"), default=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    sla_hours = models.PositiveIntegerField(_("SLA (hours)"), default=DEFAULT_SLA_HOURS)
    second_escalation_hours = models.PositiveIntegerField(
        _("second escalation after (hours overdue)"), default=DEFAULT_SECOND_ESCALATION_HOURS
    )
    assign_role = models.CharField(_("assign to role"), max_length=20, default="manager")
    recipients = models.JSONField(_("recipients"), default=list, blank=True)
    email_mode = models.CharField(
        _("email"),
        max_length=10,
        choices=[("immediate", _("Immediately")), ("digest", _("Hourly digest"))],
        default="immediate",
    )
    webhooks = models.JSONField(_("webhooks"), default=list, blank=True)
    # Promoter loop: messages to the customer and marks for the CX team.
    thank_you_playbook = models.ForeignKey(
        "Playbook", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_playbook = models.ForeignKey(
        "Playbook", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Off by default: a review invitation goes to every respondent or none (review gating is
    # against Google's review policy and the FTC's rule on consumer reviews, 16 CFR 465).
    allow_review_gating = models.BooleanField(
        _("allow review invitations that depend on the answer"), default=False
    )
    flag_advocate = models.BooleanField(_("flag the customer as an advocate"), default=False)
    record_praise = models.BooleanField(_("show praise to the staff member's unit"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "is_active"], name="alertrule_org_active")]

    def __str__(self) -> str:
        return self.name


class RootCause(models.Model):
    """One node of the organisation's root-cause taxonomy ("Staff › Rudeness")."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="root_causes"
    )
    # CASCADE, not PROTECT: a branch of the taxonomy goes with its children (their cases keep
    # no cause), and deleting an organisation's whole taxonomy at once must not refuse itself.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("root cause")
        verbose_name_plural = _("root causes")
        ordering = ["parent_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"], name="rootcause_unique_name"
            )
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent is not None else self.name


class PlaybookKind(models.TextChoices):
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSING = "closing", _("Closing message")
    THANK_YOU = "thank_you", _("Thank-you")
    REVIEW = "review", _("Review invitation")
    REVIEW_REPLY = "review_reply", _("Reply to an online review")


class Playbook(models.Model):
    """A message template to the customer, with merge fields such as {{first_name}}."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="playbooks"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=PlaybookKind.choices)
    # The language it is written in ("" for any); replies to reviews pick the review's.
    language = models.CharField(_("language"), max_length=12, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (CaseStatus.NEW, CaseStatus.IN_PROGRESS, CaseStatus.WAITING)


class Case(models.Model):
    """Somebody owes this customer a call back, by `due_at`."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="cases"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    # Copied from the unit so "my subtree's cases" is one indexed range on this table.
    unit_path = models.CharField(max_length=255, default="")
    # A case is about a response, or about an online review (`review_id`, the reviews app's
    # row: an id, not a key, so this app never reads that app's tables).
    response = models.ForeignKey(
        "responses.Response", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    review_id = models.PositiveIntegerField(null=True, blank=True)
    rule = models.ForeignKey(
        AlertRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staff = models.ForeignKey(
        "tenancy.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("assignee"),
    )
    root_cause = models.ForeignKey(
        RootCause, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    action_plan = models.ForeignKey(
        "ActionPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="cases"
    )
    created_at = models.DateTimeField()
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("due"))
    second_escalation_at = models.DateTimeField(null=True, blank=True)
    first_action_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One case per response per rule, enforced by the database so that two workers
            # evaluating the same response at once still open one case.
            models.UniqueConstraint(fields=["response", "rule"], name="case_response_rule"),
            models.UniqueConstraint(
                fields=["review_id", "rule"],
                condition=models.Q(review_id__isnull=False),
                name="case_review_rule",
            ),
            models.UniqueConstraint(
                fields=["response"],
                condition=models.Q(rule__isnull=True),
                name="case_response_manual",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path", "status"], name="case_org_path"),
            models.Index(fields=["assignee", "status"], name="case_assignee_status"),
            models.Index(fields=["status", "due_at"], name="case_status_due"),
            # The dashboards' case figures: cases opened and resolved in a period (decision
            # 0033), one range each instead of every case the organisation ever had.
            models.Index(fields=["organization", "created_at"], name="case_org_created"),
            models.Index(fields=["organization", "resolved_at"], name="case_org_resolved"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """The case's timeline: every change, note, message and escalation, oldest first."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        STATUS = "status", _("Status changed")
        ASSIGNED = "assigned", _("Assigned")
        NOTE = "note", _("Internal note")
        EMAIL = "email", _("Email to customer")
        ROOT_CAUSE = "root_cause", _("Root cause set")
        ESCALATED = "escalated", _("Escalated")
        NOTIFIED = "notified", _("Notified")
        LINKED = "linked", _("Linked to action plan")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_label = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")  # gave up after the last attempt


class Notification(models.Model):
    """One delivery (an email, a chat message, a webhook call), retried until it is sent.

    Unique per subject, purpose, channel and recipient, so re-running an evaluation or an
    escalation never sends the same thing twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        DIGEST = "digest", _("Email digest")
        SLACK = "slack", _("Slack")
        TEAMS = "teams", _("Teams")
        WEBHOOK = "webhook", _("Webhook")

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    response = models.ForeignKey(
        "responses.Response", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # What it is about ("case:12", "response:34") and why ("alert", "escalation:1"): with the
    # channel and the recipient, unique. Strings, not the nullable keys, because NULLs never
    # collide in a unique index.
    about = models.CharField(max_length=40)
    key = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=500)  # an email address or a URL
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    subject = models.CharField(max_length=255, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    secret = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    run_after = models.DateTimeField()
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "about", "key", "channel", "recipient"],
                name="notification_once",
            )
        ]
        indexes = [models.Index(fields=["status", "run_after"], name="notification_due")]

    def __str__(self) -> str:
        return f"{self.channel} to {self.recipient} ({self.key})"


class Evaluated(models.Model):
    """A response the rules were applied to: the ledger of the safety net that evaluates the
    responses whose task was lost (Redis away, a web node killed after the commit; decision
    0039)."""

    response_id = models.BigIntegerField(primary_key=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("evaluated response")
        verbose_name_plural = _("evaluated responses")

    def __str__(self) -> str:
        return f"response {self.response_id}"


class ResolutionBin(models.Model):
    """Resolved cases by resolution time, for the dashboards' case figures without reading
    every case (decision 0058): per unit and each unit above it (`node_path`), per day in the
    unit's zone and per month (`grain`), per resolution-time bucket (`resolution_times`).
    Kept by `resolution_times.count` when a case is resolved, reopened or deleted; rebuilt
    from the cases by `resolution_times.rebuild`."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    node_path = models.CharField(max_length=255)
    grain = models.CharField(max_length=1)  # "d": a day, "m": a month keyed by its first day
    day = models.DateField()
    bucket = models.SmallIntegerField()
    n = models.IntegerField(default=0)
    met = models.IntegerField(default=0)  # resolved by their due time
    hours = models.FloatField(default=0.0)
    hours_sq = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("resolution-time count")
        verbose_name_plural = _("resolution-time counts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "node_path", "grain", "day", "bucket"],
                name="resolution_bin_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.grain} {self.day} #{self.bucket}: {self.n}"


# The outer loop's models live beside these; importing them here registers them with the app
# and keeps `from voxloop.closedloop.models import ActionPlan` working.
from voxloop.closedloop.outer_loop import (  # noqa: E402, F401
    ActionPlan,
    ActionPlanStatus,
    ActionTask,
    Advocate,
    Praise,
)
