"""Personal API tokens (created and revoked by their owner, stored hashed, shown once) and
each person's profile of preferences."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    # A token acts with the scope of the membership it was made under, never more.
    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} (vxl_{self.prefix}_…)"

    @property
    def expiry(self) -> datetime:
        """When it stops working: its own expiry, and never later than the longest lifetime
        allowed now (tokens made before there was a limit, or before it was lowered)."""
        limit = self.created_at + timedelta(days=settings.TOKEN_MAX_DAYS)
        return min(self.expires_at, limit) if self.expires_at is not None else limit


class Profile(models.Model):
    """A person's own preferences, the same in every organisation they work in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    # Emails sent to this person (digests) are written in it; blank: the installation's default.
    language = models.CharField(
        _("language"), max_length=10, blank=True, default="", choices=settings.LANGUAGES
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"
