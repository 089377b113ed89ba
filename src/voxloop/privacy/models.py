"""Each organisation's privacy settings: how long personal data is kept, and whether free text
is stored only masked. Erasure and redaction keep no tables of their own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PrivacyPolicy(models.Model):
    """Retention periods in days (empty: kept until deleted by hand) and the capture option."""

    organization = models.OneToOneField(
        "tenancy.Organization", on_delete=models.CASCADE, related_name="privacy_policy"
    )
    response_days = models.PositiveIntegerField(
        _("delete raw responses after (days)"),
        null=True,
        blank=True,
        help_text=_("Answers and comments go; the dashboards keep their counts."),
    )
    comment_days = models.PositiveIntegerField(
        _("remove comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Free-text answers go; scores and choices stay."),
    )
    contact_days = models.PositiveIntegerField(
        _("erase contacts inactive for (days)"),
        null=True,
        blank=True,
        help_text=_("No response, interaction, invitation or change for this long."),
    )
    audit_days = models.PositiveIntegerField(
        _("delete audit entries after (days)"), null=True, blank=True
    )
    # Online reviews: the reviewer's name goes, the review's text and rating stay (the
    # reviews app applies it; empty: the contacts' period, as before it had its own).
    reviewer_name_days = models.PositiveIntegerField(
        _("erase reviewers' names after (days)"),
        null=True,
        blank=True,
        help_text=_("Names on online reviews; the text and rating stay."),
    )
    mask_at_capture = models.BooleanField(
        _("store comments masked"),
        default=False,
        help_text=_(
            "Emails, phone numbers, card and id numbers in new answers are masked before they "
            "are stored; nobody, admins included, can read the original."
        ),
    )
    last_applied_at = models.DateTimeField(_("last applied"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("privacy policy")
        verbose_name_plural = _("privacy policies")

    def __str__(self) -> str:
        return f"Privacy policy {self.organization_id}"

    @property
    def periods(self) -> dict[str, int | None]:
        return {name: getattr(self, name) for name in PERIODS}


PERIODS = ("response_days", "comment_days", "contact_days", "audit_days", "reviewer_name_days")
