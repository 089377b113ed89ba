"""CRM and help-desk connectors: one row per connected system (Salesforce, HubSpot, Zendesk,
Freshdesk) with its sealed credentials, schedule and cursors; the field mapping and its
conflict rules; which remote record is which contact or account; the webhooks already
received (one interaction per event); the write-backs waiting to go out; and the activity log
with its per-record problems."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CrmKind(models.TextChoices):
    SALESFORCE = "salesforce", "Salesforce"
    HUBSPOT = "hubspot", "HubSpot"
    ZENDESK = "zendesk", "Zendesk"
    FRESHDESK = "freshdesk", "Freshdesk"


class ConflictRule(models.TextChoices):
    NEWEST = "newest", _("The newer change wins")
    CRM = "crm", _("The CRM wins")


class Direction(models.TextChoices):
    BOTH = "both", _("Both ways")
    INBOUND = "in", _("From the CRM only")
    OUTBOUND = "out", _("To the CRM only")


class RecordKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    ACCOUNT = "account", _("Account")


class CrmConnector(models.Model):
    """One connected CRM or help desk, placed at a unit: its admins configure it, contacts it
    creates live there, and its events and write-backs stay inside that subtree."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("system"), max_length=20, choices=CrmKind.choices)
    # Fernet token of a JSON object (`voxloop.sealing`): API token or OAuth client and tokens.
    credentials = models.TextField(blank=True, default="", editable=False)
    # The provider's API address (a Zendesk or Freshdesk subdomain, a Salesforce instance).
    base_url = models.CharField(_("API address"), max_length=500, blank=True, default="")
    # The secret part of the inbound webhook URL (/crm/hooks/<key>/): finds the connector.
    hook_key = models.CharField(max_length=48, unique=True)
    # {"event kind": "interaction type key"}: which webhooks become which interactions.
    event_types = models.JSONField(default=dict, blank=True)
    sync_contacts = models.BooleanField(_("sync contacts"), default=True)
    sync_accounts = models.BooleanField(_("sync accounts"), default=False)
    write_back = models.BooleanField(_("write responses back"), default=True)
    cases_to_tickets = models.BooleanField(_("open a ticket or task for each case"), default=True)
    interval_minutes = models.PositiveIntegerField(_("sync every (minutes)"), default=60)
    is_active = models.BooleanField(_("active"), default=True)
    # {"contact": {"since": iso, "page": token, "started": iso}, "account": {...},
    #  "pushed": {"contact": iso}} while passes are under way and between them.
    cursor = models.JSONField(default=dict, blank=True)
    next_sync_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("CRM connector")
        verbose_name_plural = _("CRM connectors")
        ordering = ["name"]
        indexes = [models.Index(fields=["is_active", "next_sync_at"], name="crmconnector_due")]

    def __str__(self) -> str:
        return self.name


class FieldMapping(models.Model):
    """One Voxloop field and its CRM property, the way it syncs and who wins a conflict."""

    connector = models.ForeignKey(CrmConnector, on_delete=models.CASCADE, related_name="mappings")
    record = models.CharField(max_length=10, choices=RecordKind.choices)
    local_field = models.CharField(_("Voxloop field"), max_length=80)
    remote_field = models.CharField(_("CRM field"), max_length=120)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.BOTH
    )
    rule = models.CharField(
        _("conflicts"), max_length=10, choices=ConflictRule.choices, default=ConflictRule.NEWEST
    )

    class Meta:
        verbose_name = _("field mapping")
        verbose_name_plural = _("field mappings")
        ordering = ["record", "local_field"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "record", "local_field"], name="crm_mapping_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.local_field} ↔ {self.remote_field}"


class RecordLink(models.Model):
    """Which remote record is which contact or account, and when each side last changed as
    the previous sync saw it: what the conflict rules compare."""

    connector = models.ForeignKey(CrmConnector, on_delete=models.CASCADE, related_name="links")
    record = models.CharField(max_length=10, choices=RecordKind.choices)
    local_id = models.PositiveIntegerField()
    remote_id = models.CharField(max_length=120)
    remote_modified_at = models.DateTimeField(null=True, blank=True)
    # The local row's updated time right after the last sync wrote or read it.
    local_synced_at = models.DateTimeField(null=True, blank=True)
    # Accounts keep no modification time: a digest of their mapped values at the last sync
    # tells a change made in Voxloop, and when a sync first saw it stands in for its time.
    local_digest = models.CharField(max_length=64, blank=True, default="")
    local_changed_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "record", "remote_id"], name="crm_link_remote_once"
            ),
            models.UniqueConstraint(
                fields=["connector", "record", "local_id"], name="crm_link_local_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record} {self.local_id} = {self.remote_id}"


class InboundEvent(models.Model):
    """A webhook already taken in: the unique key makes the same delivery twice one
    interaction, however close together they arrive."""

    connector = models.ForeignKey(CrmConnector, on_delete=models.CASCADE, related_name="events")
    key = models.CharField(max_length=200)
    kind = models.CharField(max_length=40)
    remote_object = models.CharField(max_length=20, blank=True, default="")  # ticket, deal…
    remote_id = models.CharField(max_length=120, blank=True, default="")
    contact_id = models.PositiveIntegerField(null=True, blank=True)
    interaction_id = models.PositiveIntegerField(null=True, blank=True)
    # What the connector read from the webhook, until the event is taken in (then emptied).
    payload = models.JSONField(default=dict, blank=True)
    taken_in_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, default="")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connector", "key"], name="crm_event_once")]
        indexes = [models.Index(fields=["connector", "contact_id"], name="crm_event_contact")]

    def __str__(self) -> str:
        return self.key


class JobKind(models.TextChoices):
    FEEDBACK = "feedback", _("Response written back")
    CASE_OPENED = "case_opened", _("Ticket or task for a case")
    CASE_STATUS = "case_status", _("Case status")


class JobStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("crm job", "Queued")
    DONE = "done", pgettext_lazy("crm job", "Done")
    FAILED = "failed", pgettext_lazy("crm job", "Failed")


class WriteBack(models.Model):
    """One change to send to the CRM (a response's scores, a case's ticket or status), kept
    until it went through: retried with the provider's Retry-After or a backoff."""

    connector = models.ForeignKey(CrmConnector, on_delete=models.CASCADE, related_name="writebacks")
    kind = models.CharField(max_length=20, choices=JobKind.choices)
    # What it is about ("response:12", "case:4:opened"): once per connector.
    key = models.CharField(max_length=120)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    remote_id = models.CharField(max_length=120, blank=True, default="")
    error = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "key"], name="crm_writeback_once")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="crm_writeback_due")]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.key


class ActivityKind(models.TextChoices):
    SYNC = "sync", pgettext_lazy("crm activity", "Sync")
    WEBHOOK = "webhook", pgettext_lazy("crm activity", "Webhook")
    WRITE_BACK = "write_back", pgettext_lazy("crm activity", "Write-back")
    CONNECT = "connect", pgettext_lazy("crm activity", "Connection")


class Activity(models.Model):
    """One line of a connector's activity log; `problems` lists the records that failed
    ([{"record": "contact 0031…", "message": "…"}]), so a partial failure shows which."""

    connector = models.ForeignKey(CrmConnector, on_delete=models.CASCADE, related_name="activity")
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    ok = models.BooleanField(default=True)
    summary = models.CharField(max_length=500)
    counts = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["connector", "at"], name="crm_activity_time")]

    def __str__(self) -> str:
        return self.summary
