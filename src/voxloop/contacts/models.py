"""The people and companies feedback comes from: contacts and B2B accounts."""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from voxloop.contacts.phones import digits_of


class AccountTier(models.TextChoices):
    HIGH_TOUCH = "high_touch", _("High-touch")
    LOW_TOUCH = "low_touch", _("Low-touch")


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("customer", "Active")
    CHURNED = "churned", _("Churned")


class Account(models.Model):
    """A B2B customer company, looked after by an account manager (its owner)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="accounts"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="accounts")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    external_id = models.CharField(_("external id"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=20, choices=AccountTier.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_accounts",
        verbose_name=_("account manager"),
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # Current standing as a customer; StatusChange keeps the history churn rates count.
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default="active"
    )
    churned_at = models.DateTimeField(_("churned"), null=True, blank=True, editable=False)
    # When they became a customer, if before they were loaded here (else the row's creation).
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="account_external_id_unique"
            )
        ]
        indexes = [models.Index(fields=["organization", "unit_path"], name="account_org_path")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A customer (or employee) who can be asked for feedback."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="contacts"
    )
    home_unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.PROTECT, related_name="contacts"
    )
    # Copied from the home unit so subtree reads are one indexed range on this table.
    unit_path = models.CharField(max_length=255, editable=False, default="")
    account = models.ForeignKey(
        Account, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    external_id = models.CharField(_("external id"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    locale = models.CharField(_("language"), max_length=10, default="en")
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # Consent per channel; a global unsubscribe overrides both. Invalid flags come from hard
    # bounces (or an import saying so) and stop sends to that address until it changes.
    consent_email = models.BooleanField(_("may be emailed"), default=True)
    consent_sms = models.BooleanField(_("may be texted"), default=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    email_invalid = models.BooleanField(_("email address invalid"), default=False)
    phone_invalid = models.BooleanField(_("phone number invalid"), default=False)
    # Kept up to date from responses (their response_submitted event), so segments on "last
    # response" and "NPS group" filter this table alone.
    last_response_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_nps_group = models.CharField(max_length=10, blank=True, default="", editable=False)
    # The import run that last wrote this row: a second row for the same contact in one file
    # is found by this, without holding every id of a million-row file in memory.
    last_import = models.CharField(max_length=32, blank=True, default="", editable=False)
    # Current standing as a customer; StatusChange keeps the history churn rates count.
    status = models.CharField(
        _("status"), max_length=10, choices=CustomerStatus.choices, default="active"
    )
    churned_at = models.DateTimeField(_("churned"), null=True, blank=True, editable=False)
    # When they became a customer, if before they were loaded here (else the row's creation).
    customer_since = models.DateField(_("customer since"), null=True, blank=True)
    # Erased on request or by retention: a row without anything personal, kept so that the
    # counts made of it (invitations sent, customers lost) stay what they were.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="contact_external_id_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path"], name="contact_org_path"),
            models.Index(fields=["organization", "email"], name="contact_org_email"),
            # Inbound SMS (STOP, START) finds contacts by number, whatever its formatting.
            models.Index(F("organization"), digits_of("phone"), name="contact_org_phone_digits"),
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.external_id


class InteractionType(models.Model):
    """A kind of moment worth asking about (ticket closed, visit, purchase…), owned by a unit:
    it applies to events in that unit's subtree, the organisation's root making it company
    wide. A key is used once along any path from the root, so an event's type is never in
    doubt and no unit can shadow a type defined above it."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="interaction_types"
    )
    unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    unit_path = models.CharField(max_length=255, editable=False, default="")
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=120)
    # Archived: refuses new events and triggers, keeps the history that refers to it.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        verbose_name = _("interaction type")
        verbose_name_plural = _("interaction types")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "unit", "key"], name="interaction_type_unit_key"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path"], name="interaction_type_org_path")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """Something that happened to a contact: it can trigger a survey and enriches responses."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="interactions"
    )
    type = models.ForeignKey(InteractionType, on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="interactions")
    unit = models.ForeignKey(
        "tenancy.OrgUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit_path = models.CharField(max_length=255, editable=False, default="")
    staff = models.ForeignKey(
        "tenancy.Staff", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=40, blank=True)
    # The sender's own id for the event, so a batch sent twice records each event once.
    external_id = models.CharField(_("external id"), max_length=100, null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"], name="interaction_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "unit_path"], name="interaction_org_path"),
            models.Index(fields=["contact", "occurred_at"], name="interaction_contact_time"),
        ]
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.type_id} @ {self.occurred_at:%Y-%m-%d %H:%M}"


class Segment(models.Model):
    """A saved audience: filters on contacts, owned by a unit (its admins edit it)."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="segments"
    )
    unit = models.ForeignKey("tenancy.OrgUnit", on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=255, editable=False, default="")
    name = models.CharField(_("name"), max_length=200)
    # A condition tree (voxloop.conditions): {"match": "all" | "any", "items": [{"field":
    #   "attributes.tier" | "unit" | "account_tier" | "nps_group" | "last_response_days" |
    #   "locale", "op": "eq" | "ne" | "in" | "gte" | "lte" | "contains" | "within" |
    #   "not_within", "value": ...} or a nested group]}.
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        indexes = [models.Index(fields=["organization", "unit_path"], name="segment_org_path")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class StatusChange(models.Model):
    """A contact or an account becoming churned, or active again: the history churn rates are
    computed from, so winning a customer back never rewrites last quarter's churn."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="status_changes"
    )
    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, null=True, blank=True, related_name="status_changes"
    )
    unit_path = models.CharField(max_length=255, editable=False, default="")
    status = models.CharField(_("status"), max_length=10, choices=CustomerStatus.choices)
    changed_at = models.DateTimeField(_("changed at"))
    source = models.CharField(_("source"), max_length=20, default="api")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        indexes = [
            models.Index(fields=["organization", "status", "changed_at"], name="status_org_time"),
            models.Index(fields=["contact", "changed_at"], name="status_contact_time"),
            models.Index(fields=["account", "changed_at"], name="status_account_time"),
        ]
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.status} @ {self.changed_at:%Y-%m-%d}"


# --- churn rollup (decision 0048): customers' active spells per node and day -------------


class ChurnDay(models.Model):
    """Per unit (every level of the tree), kind and NPS group of the latest answer: the active
    spells that began (first day counted as a customer at the start of the day) and ended
    (the day they churned) on each local day. Customers at the start of day D are the spells
    begun on or before D less those ended before D. Written only by `churn_rollup`."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    node_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    nps_group = models.CharField(max_length=10, blank=True, default="")
    day = models.DateField()
    started = models.IntegerField(default=0)
    ended = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "node_path", "kind", "day", "nps_group"],
                name="churn_day_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.kind} {self.day}: +{self.started} -{self.ended}"


class ChurnSpell(models.Model):
    """The ended spells by (first day, churn day): those begun after a period's first day and
    ended before its end are the only departures in the period whose customer was not counted
    at its start. Written only by `churn_rollup`."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    node_path = models.CharField(max_length=255)
    kind = models.CharField(max_length=10)
    nps_group = models.CharField(max_length=10, blank=True, default="")
    start_day = models.DateField()
    end_day = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "node_path", "kind", "start_day", "end_day", "nps_group"],
                name="churn_spell_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.node_path} {self.kind} {self.nps_group} {self.start_day}–{self.end_day}"


class ChurnCounted(models.Model):
    """What one contact or account adds to the churn rollup now (its unit, group and spells):
    the next change subtracts exactly this and adds the new one. No foreign key to the
    customer: deleting one must still find what to subtract."""

    organization = models.ForeignKey(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=10)
    owner_id = models.BigIntegerField()
    unit_path = models.CharField(max_length=255)
    nps_group = models.CharField(max_length=10, blank=True, default="")
    spells = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "owner_id"], name="churn_counted_key")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.owner_id}"
