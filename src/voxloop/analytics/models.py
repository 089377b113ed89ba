"""Analytics tables: rollups the dashboards read, the ledger that keeps them exact, saved views.

A rollup row aggregates one node of the unit tree *and everything below it* for one day,
survey, channel and origin (answered by the respondent, or entered by staff), so a dashboard
for any unit — a store or the whole company — reads a few hundred rows for its own node,
never the raw responses and never more rows because the organisation has more units. Facet
rows split the same totals by hour of day, staff member and language; answers entered by
staff have no staff-member rows (they never count in anyone's staff figures). Staff-member
rows are the exception to "and everything below": they are kept at the response's own unit
only, and a node's staff figures sum its subtree's rows (decision 0051).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from voxloop.tenancy.models import Role


class Facet(models.TextChoices):
    TOTAL = "", _("Total")
    HOUR = "hour", _("Hour of day")
    STAFF = "staff", _("Staff member")
    LOCALE = "locale", _("Language")
    # The staff member's rows again by week (day: its Monday) and by month (day: its first):
    # a period reads whole months and weeks from these and only its ragged ends by day, so
    # a leaderboard over 12 months reads about 30 rows per person, not 365 (decision 0027).
    STAFF_WEEK = "staff_w", _("Staff member by week")
    STAFF_MONTH = "staff_m", _("Staff member by month")
    # The 0–10 answer (value "0".."10"): the score histogram reads these (decision 0033).
    SCORE = "score", _("NPS score")
    # The hour of the week (value weekday × 24 + hour, Monday 0) by month (day: its first):
    # the heat map reads whole months from these, 168 keys a month, not 24 a day (0053).
    WEEK_HOUR_MONTH = "hour_m", _("Hour of the week by month")
    # The total again by month (day: its first): figures not by day (KPIs, units, movers,
    # survey and channel) read whole months from these, the ragged ends by day (0053).
    TOTAL_MONTH = "total_m", _("Total by month")


# Kept at the response's own unit only, not at every ancestor: a person works in one unit, so
# repeating their rows up the tree made most of the rows written for nothing. A node's staff
# figures are the sum of its subtree's rows, one path range (decision 0051).
STAFF_FACETS = (Facet.STAFF, Facet.STAFF_WEEK, Facet.STAFF_MONTH)
# Kept at a node for the responses of the units below it only: a unit's own responses are
# read from the ledger (`Counted`, its own rows, ~1,000 a year for a store), so the store
# level, half of all rows, writes none of these (decision 0059). Totals stay at every node:
# the units table, leaderboards and movers read many units' totals at once.
BELOW_FACETS = (Facet.HOUR, Facet.LOCALE, Facet.SCORE, Facet.WEEK_HOUR_MONTH)


class Counters(models.Model):
    """The sums every metric is computed from (see metrics.Counts)."""

    n = models.IntegerField(default=0)
    nps_n = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    passives = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    csat_n = models.IntegerField(default=0)
    csat_sum = models.IntegerField(default=0)
    csat_sq = models.IntegerField(default=0)
    csat_top2 = models.IntegerField(default=0)
    ces_n = models.IntegerField(default=0)
    ces_sum = models.IntegerField(default=0)
    ces_sq = models.IntegerField(default=0)
    ces_agree = models.IntegerField(default=0)
    comments = models.IntegerField(default=0)

    class Meta:
        abstract = True


class Rollup(Counters):
    # No constraint in the database: rollups are derived, deleted with their organisation or
    # survey by Django's collector (on_delete), and a deferred foreign-key check per written
    # row was a third of a rebuild's cost (decision 0051).
    organization = models.ForeignKey(
        "tenancy.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # The subtree this row sums: the unit whose path this is, and every unit below it (the
    # staff facets: that unit only, decision 0051).
    node_path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    survey = models.ForeignKey(
        "surveys.Survey",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    channel = models.CharField(max_length=10)
    day = models.DateField()
    facet = models.CharField(max_length=8, choices=Facet.choices, default=Facet.TOTAL, blank=True)
    value = models.CharField(max_length=32, default="", blank=True)
    origin = models.CharField(max_length=10, default="respondent")  # responses.models.Origin

    class Meta:
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")
        constraints = [
            # Also the index for "this node, this facet, these days".
            models.UniqueConstraint(
                fields=[
                    *("organization", "node_path", "facet", "day", "survey", "channel"),
                    *("value", "origin"),
                ],
                name="rollup_key_origin",
            ),
        ]
        # Partial, so a row pays for the third B-tree only when a read needs it (decision
        # 0051): the hour, hour-of-the-week, language and score rows are read per node, by
        # the unique key. A facet added later is in `rollup_children_part` unless added to
        # its list (decision 0056 took the hour-of-the-week rows out).
        indexes = [
            # A node's children: one facet, one depth, a path range, the days.
            models.Index(
                fields=["organization", "facet", "depth", "node_path", "day"],
                name="rollup_children_part",
                condition=~models.Q(
                    facet__in=["hour", "hour_m", "locale", "score", "staff", "staff_w", "staff_m"]
                ),
            ),
            # One level's totals on a few days (the ragged ends of a period the month rows
            # do not cover): day before path, so a wide subtree (the director's regions)
            # reads those days' rows only, not every day of each child (decision 0056).
            models.Index(
                fields=["organization", "depth", "day", "node_path"],
                name="rollup_level_days",
                condition=models.Q(facet=""),
            ),
            # A node's staff figures: each day, week or month of the period, the subtree's
            # path range (the rows are kept at each response's own unit).
            models.Index(
                fields=["organization", "facet", "day", "node_path"],
                name="rollup_staff_subtree",
                condition=models.Q(facet__in=["staff", "staff_w", "staff_m"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.day} {self.facet}={self.value}: {self.n}"


class Counted(models.Model):
    """What one response contributes to the rollups right now (the ledger).

    Applying "minus what was counted, plus what the response says today" makes every update
    exact and repeatable: an edit, a delete, a unit move, a replayed event or a rebuild all go
    through the same step and can never count a response twice.
    """

    response_id = models.BigIntegerField(primary_key=True)
    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    unit_path = models.CharField(max_length=255)
    survey_id = models.BigIntegerField()
    channel = models.CharField(max_length=10)
    origin = models.CharField(max_length=10, default="respondent")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    staff_id = models.BigIntegerField(null=True)
    locale = models.CharField(max_length=10)
    nps = models.PositiveSmallIntegerField(null=True)
    csat = models.PositiveSmallIntegerField(null=True)
    ces = models.PositiveSmallIntegerField(null=True)
    comment = models.BooleanField(default=False)
    # The raw response was deleted when its time was up (privacy retention): what it counted
    # stays for good, and a rebuild adds it back from here. Reconciling never subtracts it.
    archived = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("counted response")
        verbose_name_plural = _("counted responses")
        # A unit's own responses of a period (decision 0059); counting uses its first two.
        indexes = [
            models.Index(fields=["organization", "unit_path", "day"], name="counted_unit_days")
        ]

    def __str__(self) -> str:
        return f"response {self.response_id}"


class SavedView(models.Model):
    """A dashboard's filters under a name (decision 0025). Its owner sees it; shared, so does
    everyone whose scope covers `unit` (where it was saved); published to a role by an admin,
    so does everyone of that role in the admin's subtree. Opening it re-applies the filters
    under the reader's own scope, so a view never shows anyone more than they may see."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(_("filters"), max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    # The unit of the owner's scope when saved: whom sharing and publishing reach.
    unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    shared = models.BooleanField(_("shared with the unit"), default=False)
    published_role = models.CharField(
        _("published to role"), max_length=20, blank=True, choices=Role.choices
    )
    pinned_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("pinned by")
    )

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name"]
        indexes = [models.Index(fields=["organization", "owner"], name="saved_view_owner")]

    def __str__(self) -> str:
        return self.name


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")


class ViewDigest(models.Model):
    """A reader's email digest of a saved view, read under that membership's scope."""

    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="digests")
    membership = models.ForeignKey("tenancy.Membership", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("saved view digest")
        verbose_name_plural = _("saved view digests")
        constraints = [
            models.UniqueConstraint(fields=["view", "membership"], name="view_digest_once"),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest of view {self.view_id}"


class DigestSubscription(models.Model):
    """A manager's weekly digest: on by default for every manager; this row records opt-outs
    and when the last one was sent, so a digest goes out once per period."""

    membership = models.OneToOneField(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")

    def __str__(self) -> str:
        return f"digest for membership {self.membership_id}"


class AnonymityCycle(models.Model):
    """One survey's month as the anonymity rule sees it (decision 0016): which nodes of the
    unit tree must hide that month's figures, worked out from the rollups when first asked
    and again whenever they change. Every reconcile that touches the month bumps `version`
    in the same transaction as its rollup writes; `computed` is the version the hidden nodes
    were worked out from, so a stale answer is never used."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField()  # its first day
    version = models.PositiveIntegerField(default=0)
    computed = models.IntegerField(default=-1)

    class Meta:
        verbose_name = _("anonymity cycle")
        verbose_name_plural = _("anonymity cycles")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "survey", "month"], name="anonymity_cycle_key"
            ),
        ]

    def __str__(self) -> str:
        return f"survey {self.survey_id} {self.month:%Y-%m}"


class HiddenNode(models.Model):
    """A node whose figures for the cycle are hidden (too few people, or hidden so that a
    smaller group cannot be worked out from its parent and siblings)."""

    cycle = models.ForeignKey(AnonymityCycle, on_delete=models.CASCADE, related_name="hidden")
    node_path = models.CharField(max_length=255)

    class Meta:
        verbose_name = _("hidden node")
        verbose_name_plural = _("hidden nodes")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "node_path"], name="hidden_node_key"),
        ]

    def __str__(self) -> str:
        return self.node_path


class StaffBoard(models.Model):
    """A staff leaderboard of a preset period worked out ahead (decision 0053): what the
    dashboard's staff table shows for one node as one subtree's members see it, so the page
    reads one row instead of ranking every person in scope. Refreshed in the background;
    the page shows when it was worked out."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    node_path = models.CharField(max_length=255)  # the unit the table ranks the staff of
    node_id = models.BigIntegerField()
    # The readers' subtree: who may appear is decided by it (tenancy's visible staff).
    viewer_path = models.CharField(max_length=255)
    viewer_id = models.BigIntegerField()
    period = models.CharField(max_length=16)  # a preset name (analytics.periods.PRESETS)
    metric = models.CharField(max_length=16)
    min_n = models.PositiveIntegerField()
    surveys = models.JSONField(default=list)  # the survey ids counted
    surveys_key = models.CharField(max_length=64)  # their digest, for the unique key
    start = models.DateField()  # the days the board covers: unusable once "today" moves
    end = models.DateField()
    board = models.JSONField(default=dict)  # {"ranked": [...], "too_few": [...]}
    computed_at = models.DateTimeField()
    read_at = models.DateTimeField()  # boards nobody reads any more are dropped

    class Meta:
        verbose_name = _("staff board")
        verbose_name_plural = _("staff boards")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    *("organization", "node_path", "viewer_path", "period", "metric"),
                    *("min_n", "surveys_key"),
                ],
                name="staff_board_key",
            ),
        ]
        indexes = [models.Index(fields=["computed_at"], name="staff_board_age")]

    def __str__(self) -> str:
        return f"{self.node_path} {self.period} {self.metric}"
