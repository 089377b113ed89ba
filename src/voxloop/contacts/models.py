"""The people and companies feedback comes from: contacts and B2B accounts."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountTier(models.TextChoices):
    HIGH_TOUCH = "high_touch", _("High-touch")
    LOW_TOUCH = "low_touch", _("Low-touch")


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
    created_at = models.DateTimeField(auto_now_add=True)

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
        ]
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.external_id
