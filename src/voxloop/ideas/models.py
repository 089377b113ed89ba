"""Idea boards (co-creation): a board for customers (a public link, no sign-in) or for
employees (signed-in members), its ideas with their status history, votes (one per person),
comments and followers. Decision 0040."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Audience(models.TextChoices):
    CUSTOMERS = "customers", _("Customers (public link)")
    EMPLOYEES = "employees", _("Employees (signed in)")


class Status(models.TextChoices):
    NEW = "new", _("New")
    UNDER_REVIEW = "under_review", _("Under review")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Declined")
    MERGED = "merged", _("Merged into another idea")


class Visibility(models.TextChoices):
    PENDING = "pending", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class Board(models.Model):
    """A board placed at a unit: its members (and the units above) see it; its admins and
    managers moderate it. A customer board also has an unguessable public key."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    audience = models.CharField(_("audience"), max_length=12, choices=Audience.choices)
    public_key = models.CharField(max_length=40, unique=True, editable=False)
    # New ideas and comments wait for a moderator before anyone else sees them.
    moderate_first = models.BooleanField(_("moderate before publishing"), default=True)
    is_open = models.BooleanField(_("open for new ideas"), default=True)
    # Sites that may show the board in their pages (the embeddable widget): the only
    # frame-ancestors of its framed page; none, and no site can frame it.
    allowed_origins = models.JSONField(_("allowed origins"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idea board")
        verbose_name_plural = _("idea boards")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "unit_path"], name="board_scope")]

    def __str__(self) -> str:
        return self.name


class Idea(models.Model):
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="ideas")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("description"), blank=True, default="")
    language = models.CharField(_("language"), max_length=12, blank=True, default="")
    # Who posted it: a member ("u:<user id>") or a verified email's keyed hash ("e:<hmac>").
    author_key = models.CharField(max_length=80, editable=False, default="")
    author_name = models.CharField(_("name"), max_length=100, blank=True, default="")
    status = models.CharField(
        _("status"), max_length=14, choices=Status.choices, default=Status.NEW
    )
    status_reason = models.TextField(_("reason"), blank=True, default="")
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    votes_count = models.PositiveIntegerField(_("votes"), default=0)
    score = models.FloatField(_("rank score"), default=0.0)
    theme = models.CharField(_("theme"), max_length=120, blank=True, default="")
    plan = models.ForeignKey(
        "closedloop.ActionPlan",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A survey comment promoted to this idea (never an anonymous survey's).
    source_response_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-score", "-id"]
        indexes = [
            models.Index(fields=["board", "visibility", "-score"], name="idea_ranked"),
            models.Index(fields=["organization", "unit_path"], name="idea_scope"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class Vote(models.Model):
    """One person's vote: unique per idea and voter key, so a person votes once, and a merge
    that moves votes keeps one per person."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    voter_key = models.CharField(max_length=80)
    # Where it came from: the client address's keyed hash (for spotting bursts), never the
    # address itself.
    origin = models.CharField(max_length=24, blank=True, default="")
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(fields=["idea", "voter_key"], name="vote_once_per_person")
        ]

    def __str__(self) -> str:
        return f"vote on #{self.idea_id}"


class Follower(models.Model):
    """Someone told when the idea's status changes: a member, or a verified email."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="followers")
    follower_key = models.CharField(max_length=80)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")
        constraints = [models.UniqueConstraint(fields=["idea", "follower_key"], name="follow_once")]

    def __str__(self) -> str:
        return f"follower of #{self.idea_id}"


class Comment(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author_key = models.CharField(max_length=80, editable=False, default="")
    author_name = models.CharField(_("name"), max_length=100, blank=True, default="")
    body = models.TextField(_("comment"))
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLISHED
    )
    is_official = models.BooleanField(_("official answer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment on #{self.idea_id}"


class StatusChange(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="history")
    old_status = models.CharField(max_length=14, choices=Status.choices)
    new_status = models.CharField(max_length=14, choices=Status.choices)
    reason = models.TextField(blank=True, default="")
    actor_label = models.CharField(max_length=150, blank=True, default="")
    notified = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.idea_id}: {self.new_status}"
